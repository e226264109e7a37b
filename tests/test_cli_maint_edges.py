"""Edge cases of the maintainer's commands found by a fresh maintainer's trial: a merge that
makes a third entity state one fact twice, ids too long for a file name, a removal that
would empty a required field, blank names, spaces around added values, URLs whose host is
no host name, numbers other YAML readers read, Ctrl-C, and undoing `kg rm`.

Every call goes through `kg()` (tests/curate_support.py), which asserts the exit code and
that data/ still passes structural validation afterwards; a refused command leaves data/
byte for byte as it was.
"""

from __future__ import annotations

import pytest
from curate_support import copy_fixture, kg, read, snapshot

DW = "dw-2026-01-24-us-china-ai-race"
REPORT = "huawei-annual-report-2024"


@pytest.fixture
def data(tmp_path):
    return copy_fixture(tmp_path)


@pytest.mark.clock  # merge writes today's date in the tombstone
def test_merge_folds_a_third_entitys_two_statements_of_the_kept_entity(data):
    """A trial: `kg merge A B` while a model's `developer` names both A and B failed with
    "data/model/...: error: developer 'B' is given twice" about a file the user never
    named. The two statements now state one fact: they become one citing both sources."""
    path = data / "model/deepseek-r1.yaml"
    path.write_text(read(data, "model/deepseek-r1.yaml").replace(
        "developer: deepseek\n",
        "developer:\n  - deepseek\n"
        f"  - value: huawei-technologies-co\n    sources: [{REPORT}]\n"
        f"  - value: huawei\n    sources: [{DW}]\n"), encoding="utf-8")
    r = kg(data, "merge", "huawei-technologies-co", "huawei")
    assert ("note: deepseek-r1.developer: 1 statement(s) now stated the same fact as another; "
            "folded into one citing the sources of both") in r.output
    assert ("developer:\n  - deepseek\n  - value: huawei\n"
            f"    sources: [{REPORT}, {DW}]\nbase_model:") in read(data, "model/deepseek-r1.yaml")
    assert kg(data, "fmt", "--check").output == "all files in canonical form\n"


LONG = "t" * 300
TOO_LONG = ("'tttttttttttttttttttttttttttttt…tttttttttt' (300 characters) is not an id: ids are "
            "lower-case words joined by hyphens, at most 120 characters, e.g. deepseek-r1")


@pytest.mark.parametrize("args, said", [
    (["show", LONG], f"Error: {TOO_LONG}\n"),
    (["edit", LONG, "--set", "name=x"], f"Error: {TOO_LONG}\n"),
    (["rm", LONG, "--reason", "x"], f"Error: {TOO_LONG}\n"),
    (["verify", LONG], f"Error: {TOO_LONG}\n"),
    (["rename", LONG, "x"], f"Error: {TOO_LONG}\n"),
    (["rename", "huawei", LONG], f"Error: {TOO_LONG}\n"),
    (["merge", "huawei", LONG], f"Error: {TOO_LONG}\n"),
    (["link", LONG, "developer", "deepseek", "--source", DW], f"Error: subject {TOO_LONG}\n"),
    (["link", "deepseek-r1", "developer", LONG, "--source", DW], f"Error: object {TOO_LONG}\n"),
    (["add", "organization", "--name", "X", "--org-type", "lab", "--country", "china",
      "--source", DW, "--id", LONG, "--no-input"], f"Error: {TOO_LONG}\n"),
], ids=lambda x: x[0] if isinstance(x, list) else "")
def test_an_id_too_long_for_a_file_name_is_not_an_id(data, args, said):
    """A trial: `kg show $(python3 -c 'print("t"*300)')` (and add --id, rename, link, edit,
    rm, verify) crashed with OSError: [Errno 36] File name too long."""
    before = snapshot(data)
    assert kg(data, *args, code=1).output == said
    assert snapshot(data) == before


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_name_in_another_language_is_refused(data, value):
    """A trial: `kg edit X --set names.zh=` wrote `names: {zh: ''}` (rdfs:label ""@zh), and
    validate, lint and fmt passed it; `--name-in zh=` of kg add likewise."""
    before = snapshot(data)
    r = kg(data, "edit", "huawei", "--set", f"names.zh={value}", code=1)
    assert r.output == (f"Error: --set names.zh={value}: give the name in zh (a name cannot be "
                        "empty; --unset names.zh removes it); nothing was written\n")
    r = kg(data, "add", "organization", "--name", "Trial Lab", "--org-type", "lab",
           "--country", "china", "--source", DW, "--name-in", f"zh={value}", "--no-input",
           code=1)
    assert r.output == (f"Error: --name-in zh={value}: give the name in zh (a name cannot be "
                        "empty); nothing was written\n")
    assert snapshot(data) == before


def test_add_strips_the_spaces_around_values_as_edit_does(data):
    """A trial: `kg add organization --name "  X  " --alias " a " --description " d "` (and
    `kg add quote --text '... '`) kept the spaces, and `kg lint` then failed on them."""
    r = kg(data, "add", "organization", "--name", "  Trial Lab  ", "--alias", " TL ",
           "--description", " A lab for the test. ", "--name-in", "zh= 试验 ", "--org-type",
           "lab", "--country", "china", "--source", DW, "--no-input")
    assert r.output == (
        "wrote data/organization/trial-lab.yaml\n"
        "note: removed the spaces around the value of name, aliases, description, names "
        "(as kg edit does)\n")
    assert read(data, "organization/trial-lab.yaml") == (
        "id: trial-lab\nname: Trial Lab\naliases: [TL]\nnames: {zh: 试验}\norg_type: lab\n"
        f"country: china\ndescription: A lab for the test.\nsources: [{DW}]\n")
    kg(data, "add", "quote", "--name", "Trial quote", "--text", "Words of the test. ",
       "--speaker", "huawei", "--language", "en", "--source", DW, "--no-input", "-y")
    assert "\ntext: Words of the test.\n" in read(data, "quote/trial-quote.yaml")
    assert kg(data, "lint", "--no-unchecked").output.endswith("0 error(s), 0 warning(s).\n")
    # a source's name and id come from the stripped publisher and title
    r = kg(data, "source", "add", "--title", "  Trial title  ", "--publisher", " DW ",
           "--date", "2026-01-24", "--url", "https://example.org/trial", "--source-type",
           "news", "--reliability", "high")
    assert r.output == (
        "wrote data/source/dw-2026-01-24-trial-title.yaml\n"
        "note: removed the spaces around the value of title, publisher (as kg edit does)\n")
    assert read(data, "source/dw-2026-01-24-trial-title.yaml").startswith(
        "id: dw-2026-01-24-trial-title\nname: 'DW: Trial title'\ntitle: Trial title\n"
        "publisher: DW\n")


@pytest.mark.parametrize("url, host", [("http://exa mple.invalid/", "exa mple.invalid"),
                                       ("https://-bad-.example/", "-bad-.example"),
                                       ("https://a..example/", "a..example")])
def test_a_url_whose_host_is_no_host_name_is_refused(data, url, host):
    """A trial: `kg source add ... --url 'http://exa mple.invalid/'` wrote
    http://exa%20mple.invalid/, a percent-encoded host no browser can reach."""
    before = snapshot(data)
    r = kg(data, "source", "add", "--title", "Trial", "--publisher", "DW", "--date",
           "2026-01-24", "--url", url, "--source-type", "news", "--reliability", "high",
           code=1)
    assert r.output == (
        f"data/source/dw-2026-01-24-trial.yaml:6: error: [dw-2026-01-24-trial] url '{url}': "
        f"its host '{host}' is not a valid host name (letters, digits and hyphens between "
        "dots) Fix: write the address as the browser's address bar shows it, or leave the "
        "field out if you do not know it exactly\nError: kg add source: nothing was written.\n")
    assert snapshot(data) == before


def test_a_url_with_a_valid_host_is_still_percent_encoded_where_needed(data):
    r = kg(data, "source", "add", "--title", "Trial", "--publisher", "DW", "--date",
           "2026-01-24", "--url", "https://例え.jp:8080/a b", "--source-type", "news",
           "--reliability", "high")
    assert "note: url: wrote the URL percent-encoded: https://例え.jp:8080/a%20b\n" in r.output


@pytest.mark.parametrize("value", ["1e3", "1E3", "+1.5e-3", ".5", "1.", "0o17", ".NaN", "-.Inf",
                                   "TRUE", "FALSE", "1_000"])
def test_text_written_by_kg_reads_the_same_in_a_yaml_12_reader(data, value):
    """A trial: `name: 1e3` was left plain, and a YAML 1.2 reader (ruamel typ='safe') read
    the name as 1000.0. Such text is quoted, and reads the same in 1.1 and 1.2 readers."""
    import yaml
    from ruamel.yaml import YAML

    from kg.data.yamlio import format_text, misread

    assert misread(value)
    kg(data, "edit", "huawei", "--set", f"name={value}", "--add", f"aliases={value}",
       "--set", f"names.ja={value}")
    text = read(data, "organization/huawei.yaml")
    for reader in (YAML(typ="safe").load, yaml.safe_load):
        plain = reader(text)
        assert plain["name"] == value and plain["aliases"] == [value]
        assert plain["names"]["ja"] == value
    assert format_text(text, "organization/huawei.yaml") == text


# -- Ctrl-C ------------------------------------------------------------------------------------
def stopped_by_ctrl_c(data, pause_at, *args):
    """Run `python -m kg ARGS` (the console script's path) until it pauses at pause_at, send
    it SIGINT (Ctrl-C), and return (status, stdout, stderr after the pause line)."""
    import os
    import signal
    import subprocess
    import sys

    from curate_support import ENV

    env = {**os.environ, **ENV, "KG_DATA": str(data), "KG_PAUSE_AT": pause_at,
           "KG_PAUSE_SECONDS": "60"}
    proc = subprocess.Popen(  # (a shell without job control starts jobs with SIGINT ignored)
        [sys.executable, "-m", "kg", *args], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    paused = proc.stderr.readline()
    assert paused.startswith("kg: paused"), paused + proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


@pytest.mark.parametrize("step", ["1", "3"])  # before the journal, after it
def test_ctrl_c_before_an_edit_is_written_says_so_as_sigterm_does(data, step):
    """A trial: Ctrl-C before the commit printed click's bare "Aborted!" and exited 1, where
    SIGTERM said what data/ holds and exited 130."""
    before = snapshot(data)
    code, out, err = stopped_by_ctrl_c(data, step, "edit", "huawei", "--set",
                                       "description=A trial edit.")
    assert (code, out, err) == (
        130, "", "Error: Interrupted: data/ is as it was; nothing was written.\n")
    assert snapshot(data) == before


def test_ctrl_c_after_the_change_was_written_says_it_was(data):
    """A trial: a Ctrl-C after `wrote` exited 130 saying nothing; README says what each
    Ctrl-C says."""
    code, out, err = stopped_by_ctrl_c(data, "reported", "edit", "huawei", "--set",
                                       "description=A trial edit.")
    assert code == 130
    assert out.startswith(f"wrote {data}/organization/huawei.yaml\n")
    assert err == ("Interrupted: the change was written (data/ holds it; `git diff data/` "
                   "shows it).\n")
    assert "\ndescription: A trial edit.\n" in read(data, "organization/huawei.yaml")
    from conftest import REPO

    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert ("Ctrl-C and SIGTERM end a command with status 130 and one line saying which: "
            "`Interrupted: data/ is as it was; nothing was written.`, or, once the change is "
            "in `data/`, `Interrupted: the change was written`") in readme


def test_ctrl_c_while_kg_starts_is_one_line_and_130():
    """A trial: Ctrl-C during start-up printed a KeyboardInterrupt traceback. The console
    script (kg.__main__:console) guards the import of kg.cli; here the import of click
    is what the Ctrl-C interrupts."""
    import subprocess
    import sys

    code = ("import builtins\n"
            "real = builtins.__import__\n"
            "def stop(name, *a, **k):\n"
            "    if name == 'click':\n"
            "        raise KeyboardInterrupt\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = stop\n"
            "from kg.__main__ import console\n"
            "console()\n")
    done = subprocess.run([sys.executable, "-c", code, "show", "huawei"], capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        130, "", "Interrupted while kg was starting: nothing was done.\n")


# -- undoing kg rm -----------------------------------------------------------------------------
def undo_steps() -> list[str]:
    """The shell lines of CONTRIBUTING.md's "Undo a removal"."""
    import re

    from conftest import REPO

    doc = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = doc.split("### Undo a removal", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1).splitlines()


def git(repo, *args):
    import subprocess

    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           *args], cwd=repo, check=True, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.clock  # kg rm writes today's date in the tombstone
@pytest.mark.parametrize("committed", [False, True])
def test_the_documented_steps_undo_kg_rm(data, committed):
    """A trial: no documented way to undo `kg rm` (the tombstone blocks re-adding the id).
    CONTRIBUTING.md's steps, run as written (and, for a removal already committed, with
    --source=HEAD~1 and `git rm` as it says), give back data/ as it was."""
    import os
    import subprocess

    repo = data.parent
    git(repo, "init", "-q")
    git(repo, "add", "data")
    git(repo, "commit", "-qm", "data")
    before = snapshot(data)
    r = kg(data, "rm", "deepseek-v3", "--reason", "test", "--drop-references")
    assert r.output.splitlines()[:3] == [
        "wrote data/model/deepseek-r1.yaml", "deleted data/model/deepseek-v3.yaml",
        "wrote data/tombstone/deepseek-v3.yaml"]
    kg(data, "add", "model", "--id", "deepseek-v3", "--name", "DeepSeek-V3", "--model-type",
       "model", "--developer", "deepseek", "--source", DW, "--no-input", "-y", code=1)
    steps = undo_steps()
    assert steps[-1] == "kg validate"
    if committed:
        git(repo, "add", "-A", "data")
        git(repo, "commit", "-qm", "kg rm deepseek-v3")
        steps = ["git rm -q " + s[len("rm "):] if s.startswith("rm ")
                 else s.replace("--source=HEAD ", "--source=HEAD~1 ") for s in steps]
    env = {**os.environ, "KG_DATA": str(data), "PATH": os.environ["PATH"]}
    for line in steps:
        if line.startswith("git "):
            line = ("git -c user.name=Test -c user.email=test@example.org "
                    + line[len("git "):])
        done = subprocess.run(line, shell=True, cwd=repo, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    assert snapshot(data) == before
    assert "OK: " in done.stdout
    assert kg(data, "show", "deepseek-v3").output.startswith(
        "deepseek-v3: DeepSeek-V3 (AI model, data/model/deepseek-v3.yaml)\n")
