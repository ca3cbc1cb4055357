"""The training benchmark: its result format and command line (a tiny
configuration on the CPU, so it cannot rot; nothing is timed here)."""

import io
import json

import pytest

from cnnbook import bench, throughput

TINY = dict(
    model="mnist_cnn",
    device="cpu",
    batch_size=4,
    steps=2,
    windows=2,
    warmup=1,
    threads=1,
)


@pytest.fixture(scope="module")
def result():
    out = io.StringIO()
    r = throughput.run(throughput.BenchConfig(**TINY), command="tiny", out=out)
    return r, out.getvalue()


def test_result_format(result):
    r, printed = result
    assert r["format"] == throughput.RESULT_FORMAT
    assert r["command"] == "tiny"
    assert r["device"]["type"] == "cpu" and r["device"]["name"]
    assert r["device"]["torch"].startswith("2.")
    assert r["config"]["image_size"] == 28 and r["config"]["in_channels"] == 1
    assert set(r["results"]) == set(throughput.LOOPS)
    for loop in r["results"].values():
        assert len(loop["windows"]) == 2 == len(loop["wall_seconds"])
        assert loop["min"] <= loop["images_per_second"] <= loop["max"]
        # a window is steps * batch images over its wall seconds (stored
        # to 4 decimals: a tiny window's 0.0175 s is 0.3% coarse)
        assert 8 / loop["windows"][0] == pytest.approx(
            loop["wall_seconds"][0], abs=6e-5
        )
        assert loop["warmup_wall_seconds"] > 0
    assert r["trainer_vs_bare"] == pytest.approx(
        r["results"]["trainer"]["images_per_second"]
        / r["results"]["bare"]["images_per_second"]
    )
    assert "images/s" in printed and "Trainer / bare loop" in printed
    assert r["device"]["torch"] in printed
    # labelled: the date (UTC) and the command on the first line
    assert (
        printed.splitlines()[0]
        == f"{r['date'][:10]} {r['date'][11:16]} UTC: tiny"
    )


def test_write_and_load_results(result, tmp_path):
    r, _ = result
    throughput.write_throughput(r, tmp_path / "a.json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "x"}))
    loaded = throughput.load_throughputs(tmp_path)
    assert len(loaded) == 1 and loaded[0]["file"] == "a.json"
    assert loaded[0]["results"] == r["results"]
    broken = {**r, "results": {"bare": {"images_per_second": 0}}}
    with pytest.raises(ValueError, match="no positive images_per_second"):
        throughput.write_throughput(broken, tmp_path / "b.json")
    (tmp_path / "c.json").write_text(
        json.dumps({"format": throughput.RESULT_FORMAT, "date": "x"})
    )
    with pytest.raises(ValueError, match="missing fields"):
        throughput.load_throughputs(tmp_path)


def test_the_command_writes_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert (
        bench.main(
            [
                "train",
                "--model",
                "mnist_cnn",
                "--device",
                "cpu",
                "--batch-size",
                "2",
                "--steps",
                "1",
                "--windows",
                "1",
                "--warmup",
                "0",
                "--loops",
                "bare",
                "--threads",
                "1",
                "--json",
                str(path),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    saved = json.loads(path.read_text())
    assert saved["command"].startswith("python -m cnnbook.bench train")
    assert "--json" in saved["command"] and list(saved["results"]) == ["bare"]
    assert f"wrote {path}" in printed


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--loops", "fast"], "loops must be some of"),
        (["--precision", "tf32"], "needs an NVIDIA GPU"),
        (["--steps", "0"], "steps"),
        (["--data", "disk"], "invalid choice"),
    ],
)
def test_command_line_errors(argv, message, capsys):
    with pytest.raises(SystemExit):
        bench.main(["train", "--model", "mnist_cnn", "--device", "cpu", *argv])
    assert message in capsys.readouterr().err


def test_config_errors():
    with pytest.raises(ValueError, match="data must be one of"):
        throughput.BenchConfig(data="disk")
    with pytest.raises(ValueError, match="batch_size"):
        throughput.BenchConfig(batch_size=0)
