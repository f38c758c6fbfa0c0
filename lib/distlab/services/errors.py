"""The two ways a real engine can let a learner down, as exception types.

* :class:`ServiceUnavailable` -- a server was configured (or should have started) but cannot be
  reached. The message names the address and what to try next.
* :class:`ServerNotInstalled` -- the program needed to start a server is not on this machine. The
  message names the package to install (``apt-get install redis-server`` ...). The pytest plugin
  turns it into a *skip* unless ``DISTLAB_REQUIRE_SERVICES=1``.

Bad *input* (an unsupported URL scheme, a non-loopback host) is a :class:`ValueError` whose message
names the parameter, like everywhere else in distlab.
"""


class ServiceUnavailable(RuntimeError):
    """A real server could not be reached or started; the message says what to do."""


class ServerNotInstalled(ServiceUnavailable):
    """The server program is missing; the message names the package that provides it."""

    def __init__(self, program: str, install_hint: str):
        self.program = program
        self.install_hint = install_hint
        super().__init__(f"{program} is not installed on this machine: {install_hint}")
