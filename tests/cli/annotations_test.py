"""End to end: `verify` and `check` as GitHub annotations (--format github)."""

from __future__ import annotations

import json

from tests.conftest import run_pathmove

MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"


def test_verify_and_check_annotate_each_stale_reference(git_repo) -> None:
    root = git_repo({
        "migrations.yaml": MAPPING,
        "outputs/HD/a.csv": "x\n",  # already moved: references are stale
        "run.sh": "#!/bin/sh\ncat outputs/hd_results/a.csv outputs/hd_results_v2/b.csv\n",
        "notes, draft.txt": "é outputs/hd_results and 100%\n",
        "ok.txt": "outputs/HD/a.csv\n",
    })
    proc = run_pathmove(root, "verify", "--format", "github", check_rc=1)
    assert proc.stdout.splitlines() == [
        "::error file=notes%2C draft.txt,line=1,col=3,endColumn=21,title=stale path::"
        "outputs/hd_results was moved: use outputs/HD (text)",
        "::error file=run.sh,line=2,col=5,endColumn=23,title=stale path::"
        "outputs/hd_results was moved: use outputs/HD (text)",
    ]
    # the same findings as --json, one annotation each
    doc = json.loads(run_pathmove(root, "verify", "--format", "json", check_rc=1).stdout)
    assert [(f["path"], f["line"], f["column"]) for f in doc["findings"]] == [("notes, draft.txt", 1, 3), ("run.sh", 2, 5)]

    proc = run_pathmove(root, "check", "run.sh", "ok.txt", "--format", "github", check_rc=1)
    assert proc.stdout == ("::error file=run.sh,line=2,col=5,endColumn=23,title=stale path::"
                           "outputs/hd_results was moved: use outputs/HD (text)\n")
    run_pathmove(root, "check", "ok.txt", "--format", "github", check_rc=0)

    run_pathmove(root, "check", "--fix", "run.sh", "notes, draft.txt", check_rc=None)
    proc = run_pathmove(root, "verify", "--format", "github", check_rc=0)
    assert proc.stdout == ""


def test_unknown_format_is_refused(git_repo) -> None:
    root = git_repo({"migrations.yaml": MAPPING, "outputs/HD/a.csv": "x\n"})
    proc = run_pathmove(root, "verify", "--format", "xml", check_rc=2)
    assert "github" in proc.stderr
