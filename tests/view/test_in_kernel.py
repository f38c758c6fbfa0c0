"""The view pieces inside a real Jupyter kernel (nbclient, no browser): panels display as widgets,
a standalone render shows a PNG with plt.show(), and check() shows HTML without an error."""

import nbformat
from nbclient import NotebookClient

CELLS = [
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nfrom distlab import view",
    "panel = view.cluster_panel(nodes=4)\npanel.controls['nodes'].value = 6\npanel",
    "view.render_cluster(view.cluster_drawing.example_picture(5, seed=2))\nplt.show()",
    "from distlab.grading import check\ncheck('no.such.id', 1)",
    "view.Quiz.from_data([{'kind': 'numeric', 'prompt': 'f for n=5?', 'answer': 2}])",
    "print(panel.render_count, panel.last_config['nodes'])",
]


def test_widgets_and_figures_render_in_a_kernel():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outs = [cell.outputs for cell in nb.cells]
    assert not any(o.get("output_type") == "error" for cell in outs for o in cell)
    assert "application/vnd.jupyter.widget-view+json" in outs[1][0]["data"]
    assert [o["data"].keys() for o in outs[2]] and "image/png" in outs[2][0]["data"]
    assert "unknown exercise id" in outs[3][0]["data"]["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in outs[4][0]["data"]
    assert outs[5][0]["text"].strip() == "2 6"
