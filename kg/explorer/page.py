"""One offline HTML file: our template, vis-network inlined, one JSON blob of data.

pyvis generates the drawing's node and edge lists and its options; we do not use its
template (it pulls Bootstrap from a CDN and renders data without escaping). Our
template (page.html, page.js, page.css beside this file) is filled by plain string
substitution of four slots, none of which carries data as HTML: the data goes into a
`<script type="application/json">` element with `<`, `>`, `&`, U+2028 and U+2029
escaped, and the page inserts every string with textContent.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.explorer.data import LABEL_FONT_PX, LABEL_MAX_PX, node_size
from kg.semantics.blocs import BLOC_COLOURS  # the one palette (Okabe-Ito)


class _IFrameOnDemand:
    """Stands in for IPython.display.IFrame while pyvis.network is imported.

    pyvis imports IPython (0.2-0.5 s, most of the explorer's import time) only for the
    IFrame that Network.show() returns in a notebook, which kg never calls. Calling this
    imports the real class, puts it back into pyvis.network and returns its instance."""

    def __new__(cls, *args, **kwargs):
        import pyvis.network
        from IPython.display import IFrame

        pyvis.network.IFrame = IFrame
        return IFrame(*args, **kwargs)


def _pyvis_network():
    """pyvis.network, imported without importing IPython: a minimal `IPython.display`
    module holding _IFrameOnDemand is in sys.modules only during the import, then removed,
    so a later `import IPython` gets the real package. If IPython or pyvis.network is
    already loaded, a plain import."""
    import importlib
    import sys
    import types

    if "pyvis.network" in sys.modules or "IPython.display" in sys.modules:
        return importlib.import_module("pyvis.network")
    stand_in = types.ModuleType("IPython.display")
    stand_in.IFrame = _IFrameOnDemand
    sys.modules["IPython.display"] = stand_in
    try:
        return importlib.import_module("pyvis.network")
    finally:
        if sys.modules.get("IPython.display") is stand_in:
            del sys.modules["IPython.display"]


Network = _pyvis_network().Network

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
KIND_SHAPES = {"organization": "dot", "person": "triangle", "country": "square",
               "model": "diamond", "chip": "hexagon", "policy": "triangleDown", "event": "star"}
SLOT = re.compile(r"\{\{(TITLE|STYLE|VIS|DATA|SCRIPT)\}\}")
JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                "\u2029": "\\u2029"}


def json_for_script(doc) -> str:
    """JSON that cannot end its <script> element: <, >, &, U+2028/9 as \\u escapes."""
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: JSON_ESCAPES[m.group(0)], text)


def drawing(doc: dict) -> dict:
    """The vis-network nodes, edges and options, generated with pyvis.

    Network.add_node/add_edge are quadratic, so the lists are filled directly.
    """
    net = Network(directed=True, height="100%", width="100%")
    net.toggle_physics(False)
    net.toggle_stabilization(False)
    net.nodes = [{"id": n["id"], "label": n["label"], "shape": KIND_SHAPES[n["kind"]],
                  "size": node_size(n["size"]), "x": n["x"], "y": n["y"],
                  "color": BLOC_COLOURS[n["bloc"]]} for n in doc["nodes"]]
    net.edges = [{"id": e["id"], "from": e["from"], "to": e["to"], "label": e["label"],
                  "dashes": e["ck"] == "unchecked"} for e in doc["edges"]]
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    options = json.loads(options)
    options["edges"]["smooth"] = {"enabled": False}
    options["edges"].update({"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                             "color": {"color": "#8a8f98", "highlight": "#222222",
                                       "hover": "#222222", "inherit": False},
                             "font": {"size": 10, "color": "#444444", "strokeWidth": 3,
                                      "align": "middle"},
                             "width": 1, "selectionWidth": 2, "hoverWidth": 1.5})
    options["nodes"] = {"font": {"size": LABEL_FONT_PX, "color": "#1a1a1a", "strokeWidth": 4,
                                 "strokeColor": "#ffffff"},
                        "borderWidth": 1, "borderWidthSelected": 3,
                        "scaling": {"label": {"enabled": False}},
                        "widthConstraint": {"maximum": LABEL_MAX_PX}}  # long labels wrap
    options["interaction"].update({"hover": True, "tooltipDelay": 150, "multiselect": False,
                                   "navigationButtons": False, "keyboard": False,
                                   "hideEdgesOnDrag": False})
    options["layout"] = {"improvedLayout": False, "randomSeed": 7}
    return {"nodes": nodes, "edges": edges, "options": options, "colours": BLOC_COLOURS,
            "shapes": KIND_SHAPES}


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """vis-network 9.1.2 as shipped inside pyvis, without its source-map comment."""
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"//# sourceMappingURL=\S*", "", text)
    if re.search(r"</script|<!--", text, re.IGNORECASE):  # would end or confuse the element
        raise RuntimeError(f"{path}: cannot be inlined in a <script> element")
    return text


def asset(name: str) -> str:
    return resources.files("kg.explorer").joinpath(name).read_text(encoding="utf-8")


def render(doc: dict) -> str:
    """The page for one embedded document (kg.explorer.data.page_data)."""
    doc = dict(doc, vis=drawing(doc))
    title = doc["meta"]["title"] + (f" – {doc['meta']['subtitle']}" if doc["meta"]["subtitle"]
                                    else "")
    slots = {
        "TITLE": html.escape(title, quote=True),
        "STYLE": asset("page.css"),
        "VIS": vis_network_js(),
        "DATA": json_for_script(doc),
        "SCRIPT": asset("page.js"),
    }
    for name in ("STYLE", "SCRIPT"):
        if re.search(r"</(script|style)|<!--", slots[name], re.IGNORECASE):
            raise RuntimeError(f"the explorer's {name.lower()} asset cannot be inlined")
    return SLOT.sub(lambda m: slots[m.group(1)], asset("page.html"))
