"""The benchmark's suite and plumbing (it is run, not timed, here)."""

import io

import pytest

from cnnbook import bench, sizes


def test_suite_layers_are_the_architectures():
    names = [c.name for c in bench.CONV_SUITE]
    assert len(names) == len(set(names)) == 17
    for case in bench.CONV_SUITE:
        assert case.output_size == sizes.conv_output_size(
            case.size, case.kernel_size, case.stride, case.padding
        )
    vgg = [c for c in bench.CONV_SUITE if c.name.startswith("vgg16")]
    # every VGG-16 3x3 layer does the same work at its resolution
    assert {c.flops for c in vgg[:4]} == {2 * 224 * 224 * 64 * 64 * 9}


def test_run_conv_prints_a_table_with_medians():
    out = io.StringIO()
    case = bench.ConvCase("tiny", 1, 2, 3, 8, 3, 1, 1)
    rows = bench.run_conv([case], repeats=1, threads=1, target_s=1e-4, out=out)
    text = out.getvalue()
    assert "tiny" in text and "median ratio numpy/torch" in text
    assert "threads: torch 1" in text
    assert set(rows[0]) == {"name", "flops", "forward", "backward"}
    assert rows[0]["forward"]["ratio"] > 0


def test_command_line_errors():
    with pytest.raises(SystemExit):
        bench.main(["conv", "--only", "no-such-layer"])
    with pytest.raises(SystemExit):
        bench.main(["conv", "--repeats", "0"])
