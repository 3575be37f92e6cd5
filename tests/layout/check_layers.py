#!/usr/bin/env python3
"""Layout checks behind the ctest test `layers`.

1. Every header include/invlearn/<part>/... includes only its own part or lower ones:
     core < data < model < loss < optim < update < train < rank < metrics < testing < io < distributed
   Top-level headers (include/invlearn/*.hpp) are exempt as includers; included,
   invlearn/config.hpp and invlearn/version.hpp count as core.
2. No header in include/ is longer than 400 lines (as `wc -l` counts them).
3. No file under tests/ includes anything from examples/.
4. Every project path named in docs/*.md and README.md exists: a path spelled
   include/invlearn/..., invlearn/... or <part>/... is looked up under
   include/invlearn/; one starting with tests/, examples/, bench/, fuzz/,
   scripts/, docs/ or cmake/ under the source tree. Bare file names are not checked,
   except in the per-folder tables of docs/architecture.md, which must list every
   header of include/invlearn/ and nothing else.
Usage: check_layers.py [SOURCE_DIR]   (default: the tree this script lives in)
Prints one line per violation, naming the file and the include; exit code 1 if any.
"""

import pathlib
import re
import sys

LAYERS = ["core", "data", "model", "loss", "optim", "update", "train", "rank",
          "metrics", "testing", "io", "distributed"]
RANK = {part: i for i, part in enumerate(LAYERS)}
CORE_TOP_LEVEL = {"config.hpp", "version.hpp"}
MAX_HEADER_LINES = 400

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)
DOC_PATH = re.compile(r'(?<![A-Za-z0-9_./-])[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]*\.(?:hpp|cpp|h|md|sh|py|cmake|in)\b')
TREE_DIRS = {"tests", "examples", "bench", "fuzz", "scripts", "docs", "cmake"}


def part_of(include_path):
    """Layer of an `invlearn/...` include, None for a top-level header outside core."""
    pieces = include_path.split("/")
    if len(pieces) == 2:
        return "core" if pieces[1] in CORE_TOP_LEVEL else None
    return pieces[1]


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def check_layers(root, errors):
    inc_root = root / "include" / "invlearn"
    for header in sorted(inc_root.rglob("*.hpp")):
        rel = header.relative_to(root)
        pieces = header.relative_to(inc_root).parts
        if len(pieces) == 1:
            continue  # top-level umbrella headers may include any part
        own = pieces[0]
        if own not in RANK:
            errors.append(f"{rel}: part '{own}' is not a known layer ({' < '.join(LAYERS)})")
            continue
        text = header.read_text(encoding="utf-8")
        for m in INCLUDE.finditer(text):
            target = m.group(1)
            if not target.startswith("invlearn/"):
                continue
            part = part_of(target)
            where = f"{rel}:{line_of(text, m.start())}"
            if part is None:
                errors.append(f"{where}: includes top-level header \"{target}\"; "
                              f"a part includes parts, not umbrella headers")
            elif part not in RANK:
                errors.append(f"{where}: includes \"{target}\" of unknown part '{part}'")
            elif RANK[part] > RANK[own]:
                errors.append(f"{where}: includes \"{target}\": {own}/ is below {part}/")


def check_sizes(root, errors):
    for header in sorted((root / "include").rglob("*.hpp")):
        lines = header.read_bytes().count(b"\n")
        if lines > MAX_HEADER_LINES:
            errors.append(f"{header.relative_to(root)}: {lines} lines, more than {MAX_HEADER_LINES}")


def includes_example(root, includer, target, example_names):
    """True when `target`, included from `includer`, is (or may only be) a file of examples/."""
    examples = (root / "examples").resolve()
    if target.startswith("examples/") or "/examples/" in target:
        return True
    found = False
    for base in (includer.parent, root / "tests", root / "include"):
        cand = (base / target).resolve()
        if cand.is_file():
            found = True
            if examples in cand.parents:
                return True
    # Not found beside the test: an examples/ directory on the include path would supply it.
    return not found and pathlib.PurePosixPath(target).name in example_names


def check_tests(root, errors):
    tests = root / "tests"
    example_names = {f.name for f in (root / "examples").rglob("*") if f.is_file()}
    for f in sorted(tests.rglob("*")):
        if not f.is_file() or f.suffix not in {".cpp", ".hpp", ".h", ".cc"}:
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        for m in INCLUDE.finditer(text):
            target = m.group(1)
            if includes_example(root, f, target, example_names):
                errors.append(f"{f.relative_to(root)}:{line_of(text, m.start())}: "
                              f"includes \"{target}\" from examples/; tests never include examples/")


def doc_target(root, token):
    """Where a path named in a doc must exist, or None when it is not a project path."""
    first = token.split("/", 1)[0]
    if token.startswith("include/invlearn/"):
        return root / token
    if token.startswith("invlearn/"):
        return root / "include" / token
    if first in RANK:
        return root / "include" / "invlearn" / token
    if first in TREE_DIRS:
        return root / token
    return None


def check_docs(root, errors):
    docs = sorted((root / "docs").glob("*.md"))
    readme = root / "README.md"
    if readme.exists():
        docs.append(readme)
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        for m in DOC_PATH.finditer(text):
            target = doc_target(root, m.group(0))
            if target is not None and not target.is_file():
                errors.append(f"{doc.relative_to(root)}:{line_of(text, m.start())}: "
                              f"names {m.group(0)}, which does not exist")


def check_architecture_tables(root, errors):
    """The per-folder tables of docs/architecture.md list exactly the headers that exist."""
    doc = root / "docs" / "architecture.md"
    if not doc.is_file():
        errors.append("docs/architecture.md: missing (the design of record)")
        return
    inc_root = root / "include" / "invlearn"
    folder = None
    listed = set()
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        sub = re.match(r"^((?:[a-z_]+/)+) \u2014 ", line)
        if line.startswith("## "):
            folder = None
        elif line.startswith("### "):
            token = line[4:].split()[0]
            folder = token if token.endswith("/") else None
        elif line.strip() == "Top level":
            folder = ""
        elif sub:
            folder = sub.group(1)
        row = re.match(r"^\| `([A-Za-z0-9_./-]+\.hpp)` \|", line)
        if row and folder is not None:
            rel = folder + row.group(1)
            listed.add(rel)
            if not (inc_root / rel).is_file():
                errors.append(f"docs/architecture.md:{number}: lists {rel}, which does not exist")
    for header in sorted(inc_root.rglob("*.hpp")):
        rel = header.relative_to(inc_root).as_posix()
        if rel not in listed:
            errors.append(f"docs/architecture.md: does not list include/invlearn/{rel}")


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    if not (root / "include" / "invlearn").is_dir():
        print(f"check_layers: {root} has no include/invlearn/", file=sys.stderr)
        return 2
    errors = []
    check_layers(root, errors)
    check_sizes(root, errors)
    check_tests(root, errors)
    check_docs(root, errors)
    check_architecture_tables(root, errors)
    for e in errors:
        print(e)
    if errors:
        print(f"check_layers: {len(errors)} violation(s)")
        return 1
    print("check_layers: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
