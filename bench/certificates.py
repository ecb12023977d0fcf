"""Benchmark: certificate PDFs (not a test; prints figures and the machine).

    .venv/bin/python bench/certificates.py              # 500 certificates
    .venv/bin/python bench/certificates.py --count 2000

Builds `count` honours in memory (no database: a certificate reads only its honour) with varied
names, programmes and numbers, then times
  1. one batch PDF of all of them (a round's batch: the font subset is embedded once), and
  2. one PDF per holder (the holder page's download), each with its own embedded font subset;
and prints time and size per certificate for both. Goal: <= 20 ms and <= 60 KB per certificate.
"""
import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from screening import machine  # noqa: E402  the same machine line as every benchmark

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红海波立新文军晓东云飞宏亮春梅德胜国庆玉兰"
PROGRAMMES = [  # (certificate name, title, issuer, term name, years, prefix) as the policy files declare them
    ("环翠区首席技师证书", "环翠区首席技师", "威海市环翠区人民政府", "管理期", 2, "HCSX"),
    ("区管首席技师证书", "区管首席技师", "惠州市惠阳区人力资源和社会保障局", "培养期/管理期", 2, "HYSX"),
    ("“赣州工匠”证书", "赣州工匠", "赣州市人民政府", "培养期", 3, "GZGJ"),
    ("聊城市首席技师证书", "聊城市首席技师", "聊城市人民政府", "", 0, "LCSX"),
]


def honours(count):
    from gongjiang.honours.models import Honour
    from gongjiang.honours.services import add_years

    out = []
    for i in range(count):
        cert, title, issuer, term, years, prefix = PROGRAMMES[i % len(PROGRAMMES)]
        start = dt.date(2026, 1, 5) + dt.timedelta(days=i % 300)
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)][: i % 2]
        out.append(Honour(name=name, title=title, issuer=issuer, certificate_name=cert, term_name=term,
                          term_start=start, term_end=add_years(start, years) - dt.timedelta(days=1) if years else None,
                          awarded_on=start, document_number=f"人社字〔2026〕{i % 90 + 1}号",
                          certificate_number=f"{prefix}{i + 1:06d}", certificate_issue=1 + (i % 50 == 0),
                          token=f"bench{i:020d}"))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    import django

    django.setup()
    from gongjiang.core.pdf_fonts import cjk_font
    from gongjiang.honours.certificates import certificates_pdf

    cjk_font()  # register the font once, as a running server has
    items = honours(args.count)
    certificates_pdf(items[:2])  # warm-up
    t0 = time.perf_counter()
    batch = certificates_pdf(items)
    batch_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    singles = [len(certificates_pdf([h])) for h in items]
    single_s = time.perf_counter() - t0
    n = len(items)
    print(f"machine: {machine()}")
    print(f"certificates: {n}")
    print(f"batch PDF:      {batch_s:.2f} s total, {batch_s / n * 1000:.1f} ms and {len(batch) / n / 1024:.1f} KB "
          f"per certificate ({len(batch) / 1024 / 1024:.1f} MB file)")
    print(f"per-holder PDF: {single_s:.2f} s total, {single_s / n * 1000:.1f} ms and "
          f"{sum(singles) / n / 1024:.1f} KB per certificate (max {max(singles) / 1024:.1f} KB)")
    print("goal: <= 20 ms and <= 60 KB per certificate")


if __name__ == "__main__":
    main()
