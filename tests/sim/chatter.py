"""A small test protocol: every node talks to random peers on a timer and counts what it hears."""
from distlab.sim import Process


class Chatter(Process):
    def on_start(self):
        self.heard = []
        self.stable.setdefault("boots", 0)
        self.stable["boots"] += 1
        self.set_timer("talk", self.rng.uniform(0.001, 0.01))

    def on_timer(self, name, data):
        peers = self.peers
        if peers:
            self.send(self.rng.choice(peers), (self.pid, self.sim.now))
        self.set_timer("talk", self.rng.uniform(0.001, 0.01))

    def on_message(self, src, msg):
        self.heard.append(msg)
