"""The package as its users get it: metadata, README links, the wheel and the sdist, and the
wheel installed into a fresh virtual environment without extras (then with ``[testing]``).

The tests marked ``packaging`` build the distributions and install them from the package
index (graphviz, tqdm, hypothesis); deselect them with ``-m 'not packaging'``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from tests.helpers.pages import examples, expected_output

if sys.version_info < (3, 11):
    pytest.skip("reads pyproject.toml with tomllib (Python 3.11)", allow_module_level=True)

import tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
README = (ROOT / "README.md").read_text(encoding="utf-8")


# --- metadata and README, read from the source -----------------------------------------------
def _links(markdown: str) -> list[str]:
    """Every link target of a Markdown text: inline ``[text](target)`` and ``[name]: target``."""
    inline = re.findall(r"\]\(([^)\s]+)\)", markdown)
    defined = re.findall(r"^\[[^\]]+\]:\s*(\S+)", markdown, flags=re.MULTILINE)
    return inline + defined


def test_the_readme_links_are_absolute_and_point_at_files_of_this_repository() -> None:
    """A package index shows the README without the repository: relative links would break."""
    links = _links(README)
    assert links, "the README links to its docs pages"
    assert [link for link in links if not link.startswith("https://")] == []
    files = f"{PROJECT['urls']['Source']}/blob/main/"
    ours = [link.removeprefix(files) for link in links if link.startswith(files)]
    assert "docs/testing-your-gradients.md" in ours and "docs/index.md" in ours
    assert [path for path in ours if not (ROOT / path).is_file()] == []


def test_the_project_urls_share_one_base() -> None:
    source = PROJECT["urls"]["Source"]
    assert all(url.startswith(source) for url in PROJECT["urls"].values())
    assert PROJECT["urls"]["Documentation"] == f"{source}/blob/main/docs/index.md"


def test_the_license_file_is_the_declared_mit_license() -> None:
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_the_extras_are_by_purpose_and_dev_holds_tools_only() -> None:
    extras = {
        name: {re.split(r"[<>=\[ ]", requirement)[0] for requirement in requirements}
        for name, requirements in PROJECT["optional-dependencies"].items()
    }
    assert extras["testing"] == {"hypothesis"}
    assert extras["torch"] == extras["compare"] == {"torch"}
    assert extras["fast"] == {"numpy"} and "matplotlib" in extras["plot"]
    # dev: tools only; the libraries the code uses come with the extras of their purpose
    assert {"pytest", "ruff", "mypy", "build"} <= extras["dev"]
    assert not extras["dev"] & {"hypothesis", "numpy", "matplotlib", "torch", "graphviz"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installed = re.search(r"pip install --quiet -e '\.\[([a-z,]+)\]'", makefile)
    assert installed is not None  # make's set-up: the tools and what the tests import
    assert {"dev", "testing", "plot", "fast"} <= set(installed[1].split(",")) <= set(extras)


def test_the_readme_says_how_to_install_the_library() -> None:
    install = README[README.index("## Install") : README.index("## Two commands")]
    for line in ["pip install autodiff-course", 'pip install "autodiff-course[plot,testing]"']:
        assert line in install
    assert "pip install -e ." in install
    for extra in set(PROJECT["optional-dependencies"]) - {"bench", "docs"}:  # this repo's own
        assert f"`{extra}`" in install, extra


def test_autodiff_testing_without_hypothesis_names_the_extra() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import autodiff.testing"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0
    assert "ImportError: autodiff.testing needs hypothesis" in done.stderr
    assert 'pip install "autodiff-course[testing]"' in done.stderr


# --- the distributions -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel, built as a release would be (the wheel from the sdist)."""
    pytest.importorskip("build", reason="the 'build' package (the dev extra) builds them")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.mark.packaging
def test_the_wheel_holds_the_packages_and_the_license_and_nothing_else(
    distributions: dict[str, Path],
) -> None:
    names = zipfile.ZipFile(distributions["wheel"]).namelist()
    tops = {name.split("/")[0] for name in names}
    version = PROJECT["version"]
    assert tops == {"autodiff", "nn", f"autodiff_course-{version}.dist-info"}
    sources = {path.relative_to(ROOT).as_posix() for path in ROOT.glob("[an]*/**/*.py")}
    assert {name for name in names if name.endswith(".py")} == {
        path for path in sources if path.startswith(("autodiff/", "nn/"))
    }
    assert {"autodiff/py.typed", "nn/py.typed"} <= set(names)
    info = f"autodiff_course-{version}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    wheel = zipfile.ZipFile(distributions["wheel"])
    entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert "[hypothesis]" in entry_points and "autodiff.testing.plugin:register_strategies" in (
        entry_points
    )
    assert "autodiff = nn.app.cli:main" in entry_points


@pytest.mark.packaging
def test_the_sdist_holds_what_builds_the_wheel(distributions: dict[str, Path]) -> None:
    with tarfile.open(distributions["sdist"]) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()}
    assert {"LICENSE", "README.md", "pyproject.toml", "autodiff/value.py", "nn/module.py"} <= names


def _fresh_venv(directory: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(directory)
    return directory / "bin" / "python"


def _pip_install(python: Path, requirement: str) -> None:
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            requirement,
        ],
        check=True,
        capture_output=True,
    )


def _run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # -I: this repository's sources are not on the path; only the installed wheel is.
    return subprocess.run([str(python), "-I", *args], capture_output=True, text=True, cwd=cwd)


def _readme_script() -> tuple[str, list[str]]:
    """The README's examples as one script printing a marker before each, and each one's
    expected output."""
    runnable = examples(README)
    parts, outputs = [], []
    for number, example in enumerate(runnable):
        parts.append(f"print('--- example {number}')\n{example.block.code}")
        outputs.append(expected_output(example, f"README.md:{example.block.line}"))
    return "\n".join(parts), outputs


@pytest.mark.packaging
def test_the_wheel_in_a_fresh_venv_runs_the_readme_then_a_users_property_test(
    distributions: dict[str, Path], tmp_path: Path
) -> None:
    python = _fresh_venv(tmp_path / "venv")
    _pip_install(python, str(distributions["wheel"]))
    work = tmp_path / "work"
    work.mkdir()

    where = _run(
        python, "-c", "import autodiff, nn; print(autodiff.__file__, nn.__file__)", cwd=work
    )
    assert where.stdout.count(str(tmp_path / "venv")) == 2, where

    script, outputs = _readme_script()
    (work / "readme.py").write_text(script, encoding="utf-8")
    done = _run(python, "readme.py", cwd=work)
    assert done.returncode == 0, done.stderr
    printed = re.split(r"^--- example \d+\n", done.stdout, flags=re.MULTILINE)[1:]
    assert printed == outputs
    assert (work / "neuron.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")

    version = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "autodiff"), "--version"], capture_output=True, text=True
    )
    assert version.stdout == f"autodiff {PROJECT['version']}\n"

    missing = _run(python, "-c", "import autodiff.testing", cwd=work)
    assert 'pip install "autodiff-course[testing]"' in missing.stderr

    _pip_install(python, f"{distributions['wheel']}[testing]")
    (work / "test_mine.py").write_text(USERS_TEST, encoding="utf-8")
    done = _run(python, "test_mine.py", cwd=work)
    assert done.returncode == 0, done.stderr
    ran = re.fullmatch(
        r"from_type\(Value\) and assert_gradients_match: (\d+) examples\n", done.stdout
    )
    assert ran is not None and int(ran[1]) >= 25, done.stdout


USERS_TEST = textwrap.dedent(
    """\
    from hypothesis import given, settings, strategies as st

    from autodiff import Value
    from autodiff.testing import assert_gradients_match, load_profile

    load_profile("ci")
    seen = []


    def softplus(x):
        return (1 + x.exp()).log()


    @settings(max_examples=50)
    @given(st.from_type(Value))  # no registration here: the plugin's entry point did it
    def test_softplus(x):
        seen.append(x)
        assert isinstance(x, Value) and x.op == "" and abs(x.data) <= 10  # values()' range
        assert_gradients_match(softplus, [x.data])


    test_softplus()
    print(f"from_type(Value) and assert_gradients_match: {len(seen)} examples")
    """
)
