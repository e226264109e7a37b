"""The package's layout shows the flow: files -> records -> entities -> graph -> outputs.

Each stage (a subpackage of kg/) imports only the stages upstream of it, and
nothing imports the CLI. The walk covers every import statement, those inside
functions included, so a lazy import cannot hide an arrow that runs back up.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO

# Each stage, with the stages it may import (besides itself).
UPSTREAM = {
    "core": set(),
    "data": {"core"},
    "semantics": {"core", "data"},
    "curate": {"core", "data", "semantics"},
    "rdf": {"core", "data", "semantics"},
    "sparql": {"core", "data", "semantics", "rdf"},
    "analysis": {"core", "data", "semantics", "rdf", "sparql"},
    "explorer": {"core", "data", "semantics", "rdf", "sparql", "analysis"},
    "pipeline": {"core", "data", "semantics", "rdf", "sparql", "analysis", "explorer"},
    "cli": {"core", "data", "semantics", "curate", "rdf", "sparql", "analysis", "explorer",
            "pipeline"},
}


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted((REPO / "kg").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def stage_of(module: str) -> str | None:
    """kg.rdf.graph -> rdf; kg.pipeline -> pipeline; kg.__main__ -> cli; kg -> None."""
    parts = module.split(".")
    if parts[0] != "kg" or len(parts) == 1:
        return None
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def imports_of(module: str, path: Path) -> list[tuple[int, str]]:
    """Every module this file imports (absolute names), with the line, function bodies included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from kg import curate` imports the subpackage kg.curate
            if name == "kg":
                found += [(node.lineno, f"kg.{alias.name}") for alias in node.names]
    return found


def test_every_stage_is_declared_and_the_package_is_laid_out_by_stage():
    stages = {stage_of(m) for m, _ in modules()} - {None}
    assert stages <= set(UPSTREAM), f"undeclared stage(s): {stages - set(UPSTREAM)}"
    # the flow's stages are folders, not 24 modules side by side
    top = sorted(p.name for p in (REPO / "kg").glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "pipeline.py"], top
    for stage in ("core", "data", "curate", "rdf", "sparql", "cli"):
        assert (REPO / "kg" / stage / "__init__.py").is_file(), stage


def test_no_import_runs_back_up_the_flow_or_into_the_cli():
    wrong = []
    for module, path in modules():
        here = stage_of(module)
        if here is None:
            continue
        for line, name in imports_of(module, path):
            there = stage_of(name)
            if name.split(".")[0] != "kg" or there is None or there == here:
                continue
            if there not in UPSTREAM[here]:
                wrong.append(f"{path.relative_to(REPO)}:{line}: {module} ({here}) imports "
                             f"{name} ({there}), which is downstream of it")
    assert not wrong, "\n".join(wrong)


def test_the_walk_sees_imports_inside_functions():
    """The check itself: a function-local import of the CLI from a stage is caught."""
    src = "def f():\n    from kg.cli import main\n    return main\n"
    tmp = REPO / "build" / "layout-probe.py"
    tmp.parent.mkdir(exist_ok=True)
    tmp.write_text(src, encoding="utf-8")
    try:
        assert (2, "kg.cli") in imports_of("kg.rdf.probe", tmp)
    finally:
        tmp.unlink()


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def private_attributes(sources: dict[str, str]) -> dict[str, set[str]]:
    """Private attribute name -> the classes of kg (`module.Class`) that define it: a method
    or a class attribute in the class body, or `self._x = ...` / `cls._x = ...` in one of
    its methods. sources: module name -> its source."""
    found: dict[str, set[str]] = {}
    for module, source in sources.items():
        for cls in ast.walk(ast.parse(source)):
            if not isinstance(cls, ast.ClassDef):
                continue
            names = []
            for item in cls.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.append(item.name)
                elif isinstance(item, (ast.Assign, ast.AnnAssign)):
                    targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                    names += [t.id for t in targets if isinstance(t, ast.Name)]
            for node in ast.walk(cls):
                if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names += [t.attr for target in targets for t in ast.walk(target)
                              if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                              and t.value.id in ("self", "cls")]
            for name in filter(is_private, names):
                found.setdefault(name, set()).add(f"{module}.{cls.name}")
    return found


def private_uses(module: str, source: str, known: set[str],
                 attributes: dict[str, set[str]] | None = None) -> list[tuple[int, str]]:
    """(line, name) of every private name (`_x`, not `__x__`) of another kg module that
    source uses: `from kg.a import _x`, `b._x` where b is a kg module it imported
    (`from kg.a import b`, `import kg.a.b as b`), and `obj._x` (obj not self or cls) where
    `_x` is an attribute that only classes of other kg modules define (attributes, from
    `private_attributes`; named `module.Class._x`, or `a.A._x or b.B._x` when several
    classes define it; where this module's classes define one of that name too, the
    check cannot tell whose it is and says nothing). known: the kg modules' names."""
    found, aliases = [], {}
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kg"):
            for alias in node.names:
                if f"{node.module}.{alias.name}" in known:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                elif alias.name.startswith("_") and node.module != module:
                    found.append((node.lineno, f"{node.module}.{alias.name}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kg.") and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in aliases:
            if aliases[node.value.id] != module:
                found.append((node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        owners = (attributes or {}).get(node.attr, set())
        if owners and not any(o.rpartition(".")[0] == module for o in owners):
            found.append((node.lineno, " or ".join(f"{o}.{node.attr}" for o in sorted(owners))))
    return sorted(found)


def test_no_module_uses_another_modules_private_names():
    """What one module takes from another is public (named without `_`, with a
    docstring), so that its home module knows it is used and keeps it working."""
    known = {m for m, _ in modules()}
    sources = {module: path.read_text(encoding="utf-8") for module, path in modules()}
    attributes = private_attributes(sources)
    paths = dict(modules())
    wrong = [f"{paths[module].relative_to(REPO)}:{line}: {module} uses {name}, private to "
             f"{' or '.join(home_file(n, known) for n in name.split(' or '))}. Fix: give it a public name (no leading `_`) with a "
             "docstring there, or use it only inside that module"
             for module, source in sources.items()
             for line, name in private_uses(module, source, known, attributes)]
    assert not wrong, "\n".join(wrong)


def home_file(name: str, known: set[str]) -> str:
    """The file of the kg module a private name (`kg.a.b._x`, `kg.a.b.Class._x`) is in."""
    parts = name.split(".")
    module = next(".".join(parts[:n]) for n in range(len(parts), 0, -1)
                  if ".".join(parts[:n]) in known)
    path = REPO.joinpath(*module.split("."))
    return (path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).relative_to(
        REPO).as_posix()


def test_the_private_name_check_sees_every_form():
    src = ("from kg.data import yamlio\nimport kg.rdf.serialize as ser\n"
           "def f(x):\n    from kg.rdf.serialize import _a, b\n"
           "    return yamlio._b(x), ser._c, yamlio.__name__, x._d\n")
    known = {m for m, _ in modules()}
    assert private_uses("kg.rdf.probe", src, known) == [
        (4, "kg.rdf.serialize._a"), (5, "kg.data.yamlio._b"), (5, "kg.rdf.serialize._c")]
    # a module's own private names are its own business
    assert private_uses("kg.data.yamlio", src, known) == [
        (4, "kg.rdf.serialize._a"), (5, "kg.rdf.serialize._c")]
    # an attribute only another module's class defines: a method, a class attribute, one
    # set on self; not self's or cls's own, not a name this module's classes define too
    home = ("class Quads:\n    _limit = 3\n    def __init__(self):\n        self._cache = {}\n"
            "    def _rows(self):\n        return self._cache\n")
    user = ("def f(q, r):\n    q._rows()\n    return q._cache, r.owner._limit, q._other, r._x\n"
            "class Mine:\n    def g(self):\n        self._rows = None\n"
            "        return self._cache, self.q._cache\n")
    other = "class B:\n    def __init__(self):\n        self._x = 1\n"
    attributes = private_attributes({"kg.rdf.quads": home, "kg.rdf.user": user,
                                     "kg.data.other": other, "kg.data.more": other})
    assert attributes == {"_limit": {"kg.rdf.quads.Quads"}, "_cache": {"kg.rdf.quads.Quads"},
                          "_rows": {"kg.rdf.quads.Quads", "kg.rdf.user.Mine"},
                          "_x": {"kg.data.other.B", "kg.data.more.B"}}
    assert private_uses("kg.rdf.user", user, known, attributes) == [
        (3, "kg.data.more.B._x or kg.data.other.B._x"), (3, "kg.rdf.quads.Quads._cache"),
        (3, "kg.rdf.quads.Quads._limit"), (7, "kg.rdf.quads.Quads._cache")]
    assert private_uses("kg.rdf.quads", home, known, attributes) == []
    assert home_file("kg.rdf.quads.Quads._cache", known) == "kg/rdf/quads.py"
    assert home_file("kg.sparql._x", known) == "kg/sparql/__init__.py"


def test_every_module_imports_on_its_own_and_kg_cli_stays_light():
    """No import cycle (a module that only works when imported after another), and
    `kg --help` does not load the heavy libraries the commands use."""
    names = [m for m, _ in modules() if not m.endswith("__main__")]
    probe = ("import importlib, sys\nfailed = []\nfor name in sys.argv[1:]:\n"
             "    try:\n        importlib.import_module(name)\n"
             "    except Exception as e:\n        failed.append(f'{name}: {e!r}')\n"
             "    for m in [m for m in sys.modules if m == 'kg' or m.startswith('kg.')]:\n"
             "        del sys.modules[m]\nprint('\\n'.join(failed))")
    run = subprocess.run([sys.executable, "-c", probe, *names], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr
    heavy = ("rdflib", "pyshacl", "pyoxigraph", "networkx", "pypinyin", "pyvis", "matplotlib")
    probe = ("import sys, kg.cli; print(' '.join(m for m in " + repr(heavy)
             + " if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [], f"import kg.cli loads {run.stdout.strip()}"


WAITS = {"run", "call", "check_call", "check_output", "communicate", "wait"}


def waits_without_timeout(source: str) -> list[str]:
    """The calls in source that wait for another process with no timeout, as `line: code`:
    subprocess.run/call/check_call/check_output, and .communicate()/.wait() on anything,
    without a timeout argument (for wait and communicate also none given by position)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, owner = node.func.attr, ast.unparse(node.func.value)
        if name not in WAITS or (name in ("run", "call", "check_call", "check_output")
                                 and owner != "subprocess"):
            continue
        if any(k.arg == "timeout" for k in node.keywords) or \
                (name == "wait" and node.args) or (name == "communicate" and len(node.args) > 1):
            continue
        found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_every_process_a_test_waits_for_has_a_timeout():
    """A test never waits for a process without a timeout: a wrong build or a hung
    server then fails its test (TimeoutExpired, or the helper's message) instead of
    hanging the whole suite."""
    assert waits_without_timeout("subprocess.run(['x'])\nsubprocess.run(['x'], timeout=5)\n"
                                 "p.communicate()\np.communicate(timeout=5)\np.wait()\n"
                                 "p.wait(5)\nq.run()\n") == \
        ["1: subprocess.run(['x'])", "3: p.communicate()", "5: p.wait()"]
    found = {path.name: waits for path in sorted((REPO / "tests").glob("*.py"))
             if (waits := waits_without_timeout(path.read_text(encoding="utf-8")))}
    assert found == {}


CLOCKS = {"monotonic", "perf_counter", "process_time", "time"}


def timed_asserts(source: str) -> list[str]:
    """The asserts in source that bound a clock reading from above, as `line: code`: a
    comparison `X < bound` (or `bound > X`) where X calls time.monotonic, perf_counter,
    process_time or time.time, or is a name assigned from such a call. (A lower bound, "it
    waited its time limit", is behaviour, not speed.)"""
    tree = ast.parse(source)

    def clock_call(node) -> bool:
        return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                   and n.func.attr in CLOCKS and ast.unparse(n.func.value) == "time"
                   for n in ast.walk(node))

    timed = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
             and clock_call(node.value) for target in node.targets
             if isinstance(target, ast.Name)}

    def clocked(node) -> bool:
        return clock_call(node) or any(isinstance(n, ast.Name) and n.id in timed
                                       for n in ast.walk(node))

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for cmp in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            sides = [cmp.left, *cmp.comparators]
            for i, op in enumerate(cmp.ops):
                if (isinstance(op, (ast.Lt, ast.LtE)) and clocked(sides[i])) or \
                        (isinstance(op, (ast.Gt, ast.GtE)) and clocked(sides[i + 1])):
                    found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_test_asserts_how_fast_something_ran():
    """Speed is measured in benchmarks/ (ratios in one run), never asserted in a test:
    on a shared, loaded machine a timed assert fails for no fault of the code."""
    assert timed_asserts("import time\nt = time.monotonic()\nd = time.monotonic() - t\n"
                         "assert d < 5\nassert d >= 1\nassert 9 > time.perf_counter() - t\n"
                         "assert x < 5\n") == \
        ["4: assert d < 5", "6: assert 9 > time.perf_counter() - t"]
    found = {path.name: asserts for path in sorted((REPO / "tests").glob("*.py"))
             if (asserts := timed_asserts(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_public_entry_points():
    import kg
    from kg import build, load_graph  # noqa: F401  (the documented library entry)

    assert callable(build) and callable(load_graph)
    assert kg.load_graph.__module__ == "kg.rdf.load"
    run = subprocess.run([sys.executable, "-m", "kg", "--help"], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "Usage: " in run.stdout, run.stderr


@pytest.mark.slow
def test_a_wheel_holds_every_subpackage_and_its_files(tmp_path):
    """A wheel (not the editable install, which hides a missing subpackage) installed into a
    fresh venv runs `kg --help` and imports every subpackage, and carries the package data."""
    import shutil

    # build from a copy: setuptools writes its own build/ beside pyproject.toml, which in the
    # checkout is where `kg build` writes its outputs
    src = tmp_path / "src"
    for name in ("kg", "ontology", "queries"):
        shutil.copytree(REPO / name, src / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "setup.cfg", "README.md", "LICENSE", "LICENSE-DATA"):
        shutil.copy2(REPO / name, src / name)
    wheels = tmp_path / "wheels"
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "-q", "-w", str(wheels), str(src)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    (wheel,) = wheels.glob("ai_race_kg-*.whl")
    env_dir = tmp_path / "venv"
    # system site-packages provide the dependencies (no download); the venv's own copy of kg
    # comes first on sys.path, and the test checks it is the one imported
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    py = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    run = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                          "--no-deps", str(wheel)], capture_output=True, text=True, cwd=tmp_path,
                          timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    stages = sorted({m for m, _ in modules() if m.count(".") == 1 and not m.endswith("__main__")})
    probe = ("import importlib, kg, pathlib, sys\n"
             "assert 'site-packages' in kg.__file__, kg.__file__\n"
             "for name in sys.argv[1:]: importlib.import_module(name)\n"
             "from kg import build, load_graph\nprint(kg.__file__)")
    run = subprocess.run([str(py), "-c", probe, *stages], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert str(env_dir) in run.stdout
    kg_script = env_dir / "bin" / "kg"
    run = subprocess.run([str(kg_script), "--help"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=300)
    assert run.returncode == 0 and "kg validate" in run.stdout, run.stdout + run.stderr
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for module, path in modules():
        assert path.relative_to(REPO).as_posix() in names, f"{module} is missing from the wheel"
    share = "ai_race_kg-0.1.0.data/data/share/ai-race-kg/"
    assert share + "ontology/schema.yaml" in names and share + "queries/as-of.rq" in names
    data_files = {p.relative_to(REPO).as_posix() for p in (REPO / "kg").rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert data_files <= names, f"package data missing from the wheel: {data_files - names}"
