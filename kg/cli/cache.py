"""`kg cache`: what kg keeps in its cache folder (`info`) and removing it (`clear`); the
parts are kg.data.filecache.PARTS."""

from __future__ import annotations

import click

from kg.cli.options import echo, json_text
from kg.data import filecache


def human_size(n: int) -> str:
    """Bytes in binary units for people: `0 B`, `900 B`, `1.5 KiB`, `832 KiB`, `14.2 MiB`
    (one decimal under 10, none above)."""
    size, unit = float(n), "B"
    for bigger in ("KiB", "MiB", "GiB", "TiB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    if unit == "B":
        return f"{n} B"
    return f"{size:.1f} {unit}" if size < 10 else f"{size:.0f} {unit}"


WHY = {"$XDG_CACHE_HOME": "$XDG_CACHE_HOME/ai-race-kg",
       "default": "the default: no $KG_CACHE_DIR or $XDG_CACHE_HOME"}


@click.group("cache")
def cache_group():
    """kg's cache folder: what it holds, and clearing it.

    Everything kept between runs (each file's checks, the last build's quads, SHACL
    results, the graph `kg query` reads, the report's measures, kg serve's scratch
    folders) lives in one folder: $KG_CACHE_DIR, else $XDG_CACHE_HOME/ai-race-kg,
    else ~/.cache/ai-race-kg. Removing any of it is always safe: the next command
    does the work again and gives the same answers.

    \b
    Example:
        kg cache info
        kg cache clear query      # only the built graph kg query reads
        kg cache clear            # everything no running kg process uses
    """


@cache_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON (sizes in bytes).")
def info(as_json):
    """Where the cache folder is and why, whether caching is on, and per part what it
    holds, its entries and their size.

    \b
    Example:
        kg cache info
        kg cache info --json
    """
    folder, source, on = filecache.cache_dir(), filecache.cache_dir_source(), filecache.enabled()
    parts = filecache.usage()
    other = filecache.strangers()
    total = (sum(u.entries for u in parts), sum(u.bytes for u in parts))
    if as_json:
        echo(json_text({
            "folder": str(folder), "from": source, "enabled": on,
            "parts": [{"name": u.part.name, "holds": u.part.holds, "entries": u.entries,
                       "bytes": u.bytes} for u in parts],
            "total": {"entries": total[0], "bytes": total[1]}, "other": other}))
        return
    echo(f"cache folder: {folder} (from {WHY.get(source, source)})"
         + ("" if folder.is_dir() else "; it does not exist yet"))
    echo("caching: on" if on else
         f"caching: off (${filecache.OFF_ENV} is set): every command computes everything "
         "again and keeps nothing here (but a running kg serve's copy of the graph, in tmp/)")
    width = max(len(n) for n in filecache.PART_NAMES)
    rows = [(u.part.name, str(u.entries), human_size(u.bytes), u.part.holds) for u in parts]
    rows.append(("total", str(total[0]), human_size(total[1]), ""))
    echo(f"{'part':<{width}}  {'entries':>7}  {'size':>9}  holds")
    for name, n, size, holds in rows:
        echo(f"{name:<{width}}  {n:>7}  {size:>9}  {holds}".rstrip())
    if other:
        shown = ", ".join(other[:5]) + (f", ... ({len(other) - 5} more)" if len(other) > 5 else "")
        echo(f"not kg's (kg cache clear leaves them): {shown}")


CLEAR_HELP = f"""Remove every part of the cache (or the PARTs named), but never a folder a running
    kg process uses (a query store being made, a running kg serve's copy of the graph):
    those are named with why they were left. Safe while other kg commands run: they
    find an entry whole or not at all, and do the work again.

    \b
    Parts: {", ".join(filecache.PART_NAMES)}
    (`kg cache info` says what each holds).

    \b
    Example:
        kg cache clear
        kg cache clear query tmp
    """


@cache_group.command("clear", help=CLEAR_HELP)
@click.argument("parts", nargs=-1, metavar="[PART]...",
                type=click.Choice(filecache.PART_NAMES))
def clear(parts):
    """`kg cache clear`: see CLEAR_HELP (the parts' names come from filecache.PARTS)."""
    wanted = parts or filecache.PART_NAMES
    done = filecache.clear_parts(wanted)
    for name in [n for n in filecache.PART_NAMES if n in wanted]:
        gone = [size for part, _, size in done.removed if part == name]
        kept = [(entry, why) for part, entry, why in done.left if part == name]
        said = (f"removed {len(gone)} entr{'y' if len(gone) == 1 else 'ies'} "
                f"({human_size(sum(gone))})" if gone else "nothing to remove")
        echo(f"{name}: {said}" + (f"; left {len(kept)}:" if kept else ""))
        for entry, why in kept:
            echo(f"  {entry}: {why}")
    n, size = len(done.removed), sum(s for _, _, s in done.removed)
    echo(f"removed {n} entr{'y' if n == 1 else 'ies'} ({human_size(size)}) from "
         f"{filecache.cache_dir()}" + (f"; left {len(done.left)} in use" if done.left else ""))


COMMANDS = [cache_group]
