"""The GitHub workflow is checked offline: schema, security audit, least privileges, pins."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_there_is_a_workflow():
    assert WORKFLOWS, "нет файлов в .github/workflows/"


def test_workflow_schema():
    result = run_tool(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *map(str, WORKFLOWS),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_has_no_findings():
    result = run_tool(str(BIN / "zizmor"), "--offline", "--persona", "auditor", ".github/workflows")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout + result.stderr


# Write permissions by job; every other job only reads. publish-notebooks pushes the branch
# the Colab buttons open (it is the only job that may write the repository).
WRITES = {"deploy": {"pages", "id-token"}, "publish-notebooks": {"contents"}}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privileges_and_pinned_actions(path):
    text = path.read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}, "права по умолчанию должны быть пустыми"
    for name, job in workflow["jobs"].items():
        permissions = job.get("permissions", {})
        writes = {key for key, value in permissions.items() if value == "write"}
        if writes:
            assert writes <= WRITES.get(name, set()), f"{name}: лишние права {writes}"
            assert "refs/heads/main" in job.get("if", ""), f"{name}: пишет не только из main"
    for uses in re.findall(r"uses:\s*(\S+)", text):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"не закреплено хешем: {uses}"


def test_deploy_runs_only_from_main_after_the_build():
    workflow = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test-and-build"
    assert deploy["environment"]["name"] == "github-pages"


def test_notebooks_are_published_from_main_after_the_build():
    workflow = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    publish = workflow["jobs"]["publish-notebooks"]
    assert publish["needs"] == "test-and-build"
    assert publish["permissions"] == {"actions": "read", "contents": "write"}
    script = publish["steps"][-1]["run"]
    assert "HEAD:notebooks" in script and "_sources/book" in script
    steps = workflow["jobs"]["test-and-build"]["steps"]
    pages = next(step for step in steps if step.get("id") == "pages")
    assert pages["uses"].startswith("actions/configure-pages@")
    run = next(step for step in steps if step.get("run") == "bash .ci/run")
    assert run["env"]["TINYNET_SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
