"""Credentials for dipkg load and dipkg query --endpoint: --user, DIPKG_SPARQL_PASSWORD, ~/.netrc.

An authenticating proxy (HTTP Basic or Digest) in front of a real Oxigraph server stands for a
server that asks for them; no password may appear in any output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dipkg.cli import main
from dipkg.stores import credentials
from dipkg.stores.credentials import Challenge, Credentials, resolve
from tests.projects import SEED_TRIPLES
from tests.servers import FaultyProxy, Gate, OxigraphServer
from tests.test_remote import drop_live_graph

pytestmark = pytest.mark.loopback

PASSWORD = "s3cret-Pa55word"
WRONG = "not-the-Pa55word"
GRAPH = "https://w3id.org/dipkg/graph/kg"


@pytest.fixture(autouse=True)
def _in_seed_project(in_seed_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command runs in the built seed project, with a HOME of its own and no password set."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(credentials.PASSWORD_VARIABLE, raising=False)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    output = result.stdout + result.stderr
    assert PASSWORD not in output and WRONG not in output, output
    return result.exit_code, result.stdout, result.stderr


def forward(_method: str, _path: str, _body: bytes) -> str:
    return "forward"


def write_netrc(text: str, mode: int = 0o600) -> Path:
    path = Path.home() / ".netrc"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("scheme", ["basic", "digest"])
def test_load_and_query_with_the_password_from_the_environment(
    scheme: str, oxigraph_server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(scheme, "loader", PASSWORD)
    monkeypatch.setenv(credentials.PASSWORD_VARIABLE, PASSWORD)
    # The server is the session's: the graph is emptied so that this load fills it whole.
    drop_live_graph(oxigraph_server)
    with FaultyProxy(oxigraph_server.url, forward, gate=gate) as proxy:
        code, out, err = run("load", "-v", "--endpoint", proxy.url, "--user", "loader", "--full")
        assert code == 0, err
        assert out == f"loaded {SEED_TRIPLES} triples into graph <{GRAPH}> at {proxy.url}/query\n"
        assert err.startswith(f"authenticating as loader (password from {credentials.PASSWORD_VARIABLE})\n")
        # The challenge is answered once and then kept: no request is refused twice.
        assert gate.refused <= 2
        assert all(h.get("Authorization", "").lower().startswith(scheme) for h in proxy.headers[1:])
        code, out, err = run("query", "posts", "-v", "--endpoint", proxy.url, "--user", "loader")
        assert code == 0, err
        assert json.loads(out) == json.loads(run("query", "posts")[1])
        code, out, err = run("load", "--endpoint", proxy.url, "--user", "loader", "--no-staging", "--full")
        assert code == 0, err


def test_a_digest_upload_asks_for_the_challenge_before_sending_the_body(
    oxigraph_server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(credentials.PASSWORD_VARIABLE, PASSWORD)
    with FaultyProxy(oxigraph_server.url, forward, gate=Gate("digest", "loader", PASSWORD)) as proxy:
        code, _, err = run("load", "--endpoint", proxy.url, "--user", "loader", "--no-staging", "--full")
    assert code == 0, err
    first, second = proxy.requests[:2]
    assert (first[0], first[2]) == ("HEAD", "401")
    assert (second[0], second[2]) == ("PUT", "forward")


@pytest.mark.parametrize("scheme", ["basic", "digest"])
def test_a_wrong_password_is_one_line_and_exit_5(
    scheme: str, oxigraph_server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(credentials.PASSWORD_VARIABLE, WRONG)
    with FaultyProxy(oxigraph_server.url, forward, gate=Gate(scheme, "loader", PASSWORD)) as proxy:
        for command in (["load", "--full"], ["query", "posts"]):
            code, out, err = run(*command, "-v", "--endpoint", proxy.url, "--user", "loader")
            assert (code, out) == (5, ""), err
            assert err.splitlines()[-1] == (
                f"dipkg: error: {proxy.url}/query: the server refused the credentials of user 'loader' "
                f"(HTTP 401): check --user and {credentials.PASSWORD_VARIABLE}"
            )
            assert len(err.splitlines()) == 2  # the --verbose line, then the error
        code, out, err = run("load", "--endpoint", proxy.url)
    assert (code, out) == (5, "")
    assert err == (
        f"dipkg: error: {proxy.url}/query: the server asks for credentials (HTTP 401): give --user NAME "
        f"and the password in {credentials.PASSWORD_VARIABLE} or ~/.netrc\n"
    )


def test_a_user_without_the_right_to_update_gets_403(
    oxigraph_server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(credentials.PASSWORD_VARIABLE, PASSWORD)

    def no_updates(_method: str, path: str, _body: bytes) -> str:
        return "forward" if path.startswith("/query") else "403"

    with FaultyProxy(oxigraph_server.url, no_updates, gate=Gate("digest", "reader", PASSWORD)) as proxy:
        code, out, err = run("load", "--endpoint", proxy.url, "--user", "reader", "--full")
    assert (code, out) == (5, "")
    assert len(err.splitlines()) == 1
    assert err.startswith(f"dipkg: error: {proxy.url}/")
    assert err.endswith(": the server refused access (HTTP 403): the user may not update the graph\n")


def test_netrc_gives_the_user_and_password(oxigraph_server: OxigraphServer) -> None:
    write_netrc(f"machine 127.0.0.1\n  login loader\n  password {PASSWORD}\n")
    with FaultyProxy(oxigraph_server.url, forward, gate=Gate("digest", "loader", PASSWORD)) as proxy:
        code, out, err = run("load", "-v", "--endpoint", proxy.url, "--full")
        assert code == 0, err
        assert "authenticating as loader (password from ~/.netrc)" in err
        assert run("query", "posts", "--endpoint", proxy.url, "--user", "loader")[0] == 0
        code, _, err = run("query", "posts", "--endpoint", proxy.url, "--user", "someone-else")
        assert code == 2
        assert "--user someone-else needs a password" in err
    write_netrc(f"machine 127.0.0.1 login loader password {PASSWORD}\n", 0o644)
    code, out, err = run("query", "posts", "--endpoint", proxy.url)
    assert (code, out, err) == (
        2,
        "",
        "dipkg: error: ~/.netrc may be read by other users: chmod 600 ~/.netrc\n",
    )
    write_netrc(f"machine 127.0.0.1 login loader password {PASSWORD} bogus\n")
    code, _, err = run("query", "posts", "--endpoint", proxy.url)
    assert code == 2
    assert err.startswith("dipkg: error: ~/.netrc line ") and err.endswith(
        " cannot be read as a .netrc file\n"
    )


def test_credentials_never_come_from_the_url_or_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("load", "--endpoint", f"http://loader:{PASSWORD}@127.0.0.1:1/")
    assert (code, out) == (2, "")
    assert "holds a user name or password: give --user NAME" in err
    assert "loader:***@127.0.0.1" in err
    code, _, err = run("query", "posts", "--endpoint", "http://127.0.0.1:1/", "--user", "loader")
    assert code == 2
    assert f"--user loader needs a password: set {credentials.PASSWORD_VARIABLE}" in err
    assert run("query", "posts", "--user", "loader")[0] == 2
    assert run("load", "--endpoint", "http://127.0.0.1:1/", "--password", PASSWORD)[0] == 2
    monkeypatch.setenv(credentials.PASSWORD_VARIABLE, PASSWORD)
    assert PASSWORD not in repr(resolve("http://127.0.0.1/", "loader"))


def test_the_digest_answer_is_rfc_2617s(monkeypatch: pytest.MonkeyPatch) -> None:
    header = (
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    challenge = Challenge.parse([header, 'Basic realm="x"'])
    assert challenge is not None and challenge.scheme == "digest"
    monkeypatch.setattr(credentials.secrets, "token_hex", lambda _n: "0a4f113b")
    user = Credentials("Mufasa", "Circle Of Life", "test")
    assert user.authorization("GET", "/dir/index.html") is None
    user.learn(challenge)
    answer = user.authorization("GET", "/dir/index.html")
    assert answer is not None
    assert 'response="6629fae49393a05397450978507c4ef1"' in answer
    assert "nc=00000001" in answer and 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in answer
    basic = Challenge.parse(['Basic realm="x"'])
    assert basic is not None and basic.scheme == "basic"
    assert Challenge.parse(["Negotiate abc", 'Digest realm="x", nonce="n", algorithm=SHA-512-256']) is None
