"""`panelist tasks import` and `panelist export` name a project by the same rule as chat (domain.project_names);
several matches print the candidates, one per line, and exit 2. Both backends."""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def test_cli_resolves_a_project_name_like_chat(database_url, capsys, monkeypatch, tmp_path):
    from app.cli import main

    monkeypatch.setenv("PANELIST_DATABASE_URL", database_url)
    for stem in ("error_check_medicine", "rewrite_finance"):
        assert main(["project", "create", str(DATA / "specs" / f"{stem}.yaml")]) == 0
    capsys.readouterr()
    tasks = str(DATA / "tasks" / "rewrite_finance.jsonl")

    assert main(["tasks", "import", "answers", tasks]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == ["Drug interaction answers — find the errors", "Personal finance answers — rewrite"]
    assert "2 projects match 'answers'" in err

    # a hyphen for the em dash, no capitals: the one project, imported
    assert main(["tasks", "import", "personal finance answers - rewrite", tasks]) == 0
    assert "Personal finance answers — rewrite" in capsys.readouterr().out

    assert main(["tasks", "import", "astrology", tasks]) == 2
    assert "no project named 'astrology'" in capsys.readouterr().err

    out_file = tmp_path / "out.jsonl"
    assert main(["export", "answers", "--format", "jsonl", "--out", str(out_file)]) == 2
    assert len(capsys.readouterr().out.splitlines()) == 2 and not out_file.exists()
    assert main(["export", "personal fin", "--format", "jsonl", "--out", str(out_file)]) == 0
    assert out_file.exists()
