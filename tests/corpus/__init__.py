"""The hostile-input corpus: strings, uploads and spreadsheets that a careless user or an attacker
sends. tests/test_corpus.py runs every entry in it through every form and upload field of every page
(the API gets the same treatment from schemathesis in tests/test_api_fuzz.py), so the next form gets
it too. Add an entry here when a new kind of bad input is found; files are generated, not stored."""
from gongjiang.applications.tests import corpus as upload_corpus
from gongjiang.core.testing import xlsx_bytes

STRINGS = [
    ("nul", "张\x00三"),
    ("bigint_overflow", "9223372036854775808"),
    ("forty_digits", "1" * 40),
    ("negative", "-1"),
    ("float", "1e309"),
    ("over_long", "长" * 5000),
    ("html", "<script>alert(1)</script><img src=x onerror=alert(1)>"),
    ("sql", "' OR 1=1; DROP TABLE registry_person; --"),
    ("formula", "=HYPERLINK(\"http://evil.example\",\"点我\")"),
    ("rtl_override", "\u202egpj.exe"),
    ("zero_width", "\u200b\u200d\ufeff"),
    ("emoji", "👷‍♀️🔧"),
    ("nonchar", "\ufffe\uffff"),
    ("path", "../../../../etc/passwd"),
    ("bad_date", "2026-02-30"),
    ("blank", "   "),
    ("crlf", "a\r\nSet-Cookie: x=1"),
]


SPREADSHEETS = [
    ("missing-columns.csv", lambda: "姓名\n张三\n".encode("utf-8")),
    ("declares-1.5m-rows.xlsx", lambda: xlsx_bytes([["姓名", "身份证号码"], ["张三", "1"]], declared_rows=1_500_001)),
    ("formulas.xlsx", lambda: xlsx_bytes([["姓名", "身份证号码"], ["=cmd|' /C calc'!A0", "=1+1"]])),
    ("hostile-strings.csv", lambda: ("姓名,身份证号码\n" + "".join(
        f"\"{v.replace(chr(34), chr(34) * 2)}\",{v if ',' not in v else 'x'}\n" for _, v in STRINGS
        if "\x00" not in v)).encode("utf-8")),
    ("nul.csv", lambda: "姓名,身份证号码\n张\x00三,1\n".encode("utf-8")),
    ("garbage.xlsx", lambda: bytes(range(256)) * 8),
    ("zip-bomb.xlsx", upload_corpus.zip_bomb),
    ("latin1.csv", lambda: "姓名,身份证号码\n".encode("utf-8") + b"\xff\xfe\xfa,1\n"),
]

# Every bad upload the validator knows, plus the spreadsheets: each goes into every file field.
UPLOADS = [(name, make) for name, make, _words in upload_corpus.BAD_FILES] + \
          [(name, make) for name, make, _words in upload_corpus.BAD_PHOTOS] + SPREADSHEETS
