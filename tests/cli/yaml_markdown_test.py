"""SPEC §4.2, §4.3 end to end: the installed pathmove on a repository with YAML and Markdown."""

from __future__ import annotations

import json

from tests.conftest import run_pathmove, tree_bytes

MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n  - from: docs/guide.md\n    to: docs/user/guide.md\n"


def test_yaml_and_markdown_rewritten_byte_exact(git_repo) -> None:
    root = git_repo({
        "migrations.yaml": MAPPING,
        "outputs/hd_results/a.csv": "x\n",
        "outputs/hd_results/README.md": "[up](../../docs/guide.md) [sib](a.csv)\n",
        "docs/guide.md": b"\xef\xbb\xbf# Guide\r\n\r\nSee [a](../outputs/hd_results/a.csv) and [home](../README.md).\r\n",
        "README.md": "[guide](docs/guide.md#top) `outputs/hd_results` https://x.org/outputs/hd_results\n",
        "conf.yaml": b"\xef\xbb\xbfdata: 'outputs/hd_results/a.csv'  # outputs/hd_results\r\nv2: outputs/hd_results_v2\r\n",
        "chart/values.yaml": "{{- if .Values.on }}\nout: outputs/hd_results\n{{- end }}\n",
    })
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    kinds = {(f["path"], f["kind"]) for f in plan["findings"]}
    assert {("conf.yaml", "yaml-scalar"), ("conf.yaml", "yaml-comment"), ("docs/guide.md", "md-link"),
            ("README.md", "md-link"), ("README.md", "md-text"), ("chart/values.yaml", "text")} <= kinds
    assert any("chart/values.yaml" in json.dumps(w) for w in plan["warnings"])

    run_pathmove(root, "apply", check_rc=0)
    after = tree_bytes(root)
    assert after["docs/user/guide.md"][1] == (
        b"\xef\xbb\xbf# Guide\r\n\r\nSee [a](../../outputs/HD/a.csv) and [home](../../README.md).\r\n")
    assert after["outputs/HD/README.md"][1] == b"[up](../../docs/user/guide.md) [sib](a.csv)\n"
    assert after["README.md"][1] == b"[guide](docs/user/guide.md#top) `outputs/HD` https://x.org/outputs/hd_results\n"
    assert after["conf.yaml"][1] == b"\xef\xbb\xbfdata: 'outputs/HD/a.csv'  # outputs/HD\r\nv2: outputs/hd_results_v2\r\n"
    assert after["chart/values.yaml"][1] == b"{{- if .Values.on }}\nout: outputs/HD\n{{- end }}\n"
    run_pathmove(root, "verify", check_rc=0)
