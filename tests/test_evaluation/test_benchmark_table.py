from mmdiffir.evaluation import benchmark_table, split_metrics


def test_rows_per_benchmark_and_average():
    metrics = {'CBSD68/PSNR': 30.0, 'CBSD68/SSIM': 0.8, 'CBSD68/Y/PSNR': 32.0,
               'Kodak24/PSNR': 31.0, 'Kodak24/SSIM': 0.9,
               'Kodak24/Y/PSNR': 33.0}
    rows = split_metrics(metrics)
    assert list(rows) == ['CBSD68', 'Kodak24']
    assert rows['CBSD68'] == {'PSNR': 30.0, 'SSIM': 0.8, 'PSNR-Y': 32.0}
    table = benchmark_table(metrics, digits=2)
    assert table.field_names == ['benchmark', 'PSNR', 'SSIM', 'PSNR-Y']
    lines = [r for r in table.rows]
    assert lines[-1] == ['average', '30.50', '0.85', '32.50']
    assert len(lines) == 3


def test_average_skips_benchmarks_without_the_metric():
    table = benchmark_table({'A/PSNR': 10.0, 'B/PSNR': 20.0, 'B/SSIM': 0.5})
    assert table.rows[-1] == ['average', '15.0000', '0.5000']
    assert table.rows[0] == ['A', '10.0000', '-']


def test_single_benchmark_has_no_average_row():
    assert len(benchmark_table({'PSNR': 1.0}).rows) == 1
