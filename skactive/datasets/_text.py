"""Real text data: human-rated sentiment snippets (Hutto & Gilbert, 2014).

The four ground-truth corpora of the VADER paper ship with skactive as one
xz-compressed table, ``data/vader_snippets.tsv.xz``, made by
``scripts/make_sentiment_data.py`` from the ``vaderSentiment`` 3.3.2 source
distribution (MIT licence). :func:`load_sentiment` reads it through
:mod:`importlib.resources`; nothing is downloaded.
"""

import functools
import lzma
import math
import textwrap
import numbers
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = ["SENTIMENT_DOMAINS", "load_sentiment"]

SENTIMENT_DOMAINS = ("movies", "products", "editorials", "tweets")
"""Domains of :func:`load_sentiment`, in the order of ``domain="all"``."""

_DATA_FILE = "vader_snippets.tsv.xz"
_HEADER = "domain\tid\tgroup\trating\ttext"
_TARGET_NAMES = ("negative", "positive")

_SOURCES = {
    "movies": "sentence-level snippets of rottentomatoes.com movie reviews "
    "(from the reviews of Pang & Lee, 2004), file "
    "movieReviewSnippets_GroundTruth.txt",
    "products": "sentences of 309 Amazon customer reviews of 5 products "
    "(Hu & Liu, 2004), file amazonReviewSnippets_GroundTruth.txt",
    "editorials": "sentences of 500 New York Times opinion editorials, "
    "file nytEditorialSnippets_GroundTruth.txt",
    "tweets": "tweet-like texts (4000 inspired by public tweets, 200 "
    "contrived), file tweets_GroundTruth.txt",
}
# Domains whose sentences come from a longer document (review_sentence ids).
_GROUPED = ("products", "editorials")

_CITATION = (
    "Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based "
    "Model for Sentiment Analysis of Social Media Text. Eighth International "
    "Conference on Weblogs and Social Media (ICWSM-14). Ann Arbor, MI, June 2014."
)


@functools.lru_cache(maxsize=1)
def _read_table():
    """Parse the package data once per process.

    Returns a dict mapping each domain to a dict of read-only arrays ``ids``,
    ``groups``, ``rating`` and ``text`` (callers copy before handing out).
    """
    ref = resources.files("skactive.datasets").joinpath("data", _DATA_FILE)
    lines = lzma.decompress(ref.read_bytes()).decode("utf-8").split("\n")
    if lines[0] != _HEADER:
        raise RuntimeError(
            f"{_DATA_FILE}: unexpected header {lines[0]!r}; rebuild it with "
            "scripts/make_sentiment_data.py."
        )
    columns = {domain: ([], [], [], []) for domain in SENTIMENT_DOMAINS}
    for line in lines[1:]:
        if not line:
            continue
        domain, row_id, group, rating, text = line.split("\t")
        cols = columns[domain]
        cols[0].append(row_id)
        cols[1].append(group)
        cols[2].append(rating)
        cols[3].append(text)
    table = {}
    for domain, (ids, groups, ratings, texts) in columns.items():
        arrays = {
            "ids": np.array(ids, dtype=str),
            "groups": np.array(groups, dtype=str),
            "rating": np.array(ratings, dtype=np.float64),
            "text": np.array(texts, dtype=object),
        }
        for array in arrays.values():
            array.flags.writeable = False
        table[domain] = arrays
    return table


def _check_domains(domain):
    """Normalise ``domain`` to a tuple of domain names."""
    valid = ", ".join(repr(d) for d in SENTIMENT_DOMAINS)
    if isinstance(domain, str):
        if domain == "all":
            return SENTIMENT_DOMAINS
        names = (domain,)
    elif isinstance(domain, (list, tuple)):
        names = tuple(domain)
        if not names:
            raise ValueError(
                f"domain must name at least one domain, got {domain!r}; valid "
                f"domains are {valid} (or 'all')."
            )
        for name in names:
            if not isinstance(name, str):
                raise TypeError(
                    "domain entries must be str, got "
                    f"{type(name).__name__} ({name!r})."
                )
        if len(set(names)) != len(names):
            raise ValueError(
                f"domain={domain!r} repeats a domain; each may appear once."
            )
    else:
        raise TypeError(
            "domain must be a str or a list/tuple of str, got "
            f"{type(domain).__name__} ({domain!r})."
        )
    for name in names:
        if name not in SENTIMENT_DOMAINS:
            raise ValueError(
                f"Unknown domain={name!r}; valid domains are {valid}, a "
                "list/tuple of them, or 'all'."
            )
    return names


def _check_margin(margin):
    if isinstance(margin, (bool, np.bool_)) or not isinstance(margin, numbers.Real):
        raise TypeError(
            "margin must be a real number in [0, 4], got "
            f"{type(margin).__name__} ({margin!r})."
        )
    margin = float(margin)
    if math.isnan(margin) or not 0.0 <= margin <= 4.0:
        raise ValueError(
            f"margin must be in [0, 4] (ratings lie in [-4, 4]), got {margin!r}."
        )
    return margin


def _describe(names, margin, kept):
    """The DESCR text: source, counts of this selection, licence, citation."""
    title = "VADER sentiment snippets (Hutto & Gilbert, 2014)"
    lines = [
        title,
        "=" * len(title),
        "",
        "Short English texts, each rated by at least 20 independent human "
        "raters on a scale from -4 (extremely negative) to +4 (extremely "
        "positive); the mean rating is kept. Binary labels: positive (1) if "
        f"the mean rating is >= {margin:g}, negative (0) if it is <= "
        f"-{margin:g}; snippets in between (and those rated exactly 0) are "
        "dropped.",
        "",
        "Domains (rows kept: negative / positive):",
    ]
    for name in names:
        n_neg, n_pos = kept[name]
        lines.append(
            f"- {name}: {n_neg + n_pos} snippets ({n_neg} / {n_pos}); "
            f"{_SOURCES[name]}."
        )
    if any(name in _GROUPED for name in names):
        lines += [
            "",
            "Products and editorials are sentences of longer documents: "
            "``groups`` holds the review / editorial id, and splits must keep "
            "a group together (e.g. GroupShuffleSplit, GroupKFold), since "
            "sentences of one document share vocabulary and sentiment.",
        ]
    lines += [
        "",
        "Source: the *_GroundTruth.txt files of hutto_ICWSM_2014.tar.gz in "
        "the vaderSentiment 3.3.2 source distribution "
        "(https://github.com/cjhutto/vaderSentiment), MIT licence, "
        "Copyright (c) 2016 C.J. Hutto; see skactive/datasets/data/README.md.",
        "",
        "Citation: " + _CITATION,
    ]
    wrapped = []
    for line in lines:
        indent = "  " if line.startswith("- ") else ""
        wrapped.append(
            textwrap.fill(line, width=79, subsequent_indent=indent) if line else ""
        )
    return "\n".join(wrapped)


def load_sentiment(domain="movies", *, margin=0.5, return_X_y=False):
    """Load human-rated sentiment snippets as a binary text classification set.

    Real text data for active learning, bundled with skactive (nothing is
    downloaded): the ground-truth corpora of the VADER paper [1]_, whose
    snippets were each rated by at least 20 human raters from -4 (extremely
    negative) to +4 (extremely positive). The label is the sign of the mean
    rating; snippets whose mean rating is within ``margin`` of 0 (neutral by
    the raters' mean) are dropped.

    ==============  ========  =================  ==============  ==============
    domain          raw rows  rows (margin 0.5)  positive share  groups
    ==============  ========  =================  ==============  ==============
    ``movies``      10605     10072              0.496           own id
    ``products``    3708      2985               0.586           298 reviews
    ``editorials``  5190      2970               0.400           497 editorials
    ``tweets``      4200      3432               0.683           own id
    ==============  ========  =================  ==============  ==============

    The texts are raw strings; vectorise them yourself, for instance with
    :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.

    Parameters
    ----------
    domain : str or list/tuple of str, default="movies"
        One of :data:`SENTIMENT_DOMAINS` (``"movies"``: movie review
        snippets of rottentomatoes.com; ``"products"``: sentences of Amazon
        customer reviews; ``"editorials"``: sentences of New York Times
        opinion editorials; ``"tweets"``: tweet-like texts), a list/tuple of
        them (loaded one after the other, in the given order), or ``"all"``
        for every domain in the order of :data:`SENTIMENT_DOMAINS`.
    margin : float, default=0.5
        Snippets with mean rating ``>= margin`` are positive (1), those with
        ``<= -margin`` negative (0), the others are dropped. Must lie in
        ``[0, 4]``; ``margin=0`` drops only the snippets rated exactly 0.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with the fields:

        - ``data`` : ndarray of object (str) of shape (n_samples,), the texts
        - ``target`` : ndarray of int64 of shape (n_samples,), 0 negative,
          1 positive
        - ``rating`` : ndarray of float64 of shape (n_samples,), the mean
          human rating in [-4, 4]
        - ``groups`` : ndarray of str of shape (n_samples,), the review /
          editorial id for ``products`` and ``editorials``, the snippet's own
          id otherwise; when ``domain`` is a list/tuple or ``"all"`` it is
          prefixed with the domain (``"products:17"``) so that groups never
          collide
        - ``ids`` : ndarray of str of shape (n_samples,), the row id of the
          source file (``"17_3"``: sentence 3 of review 17)
        - ``domains`` : ndarray of str of shape (n_samples,), the domain of
          each row
        - ``domain`` : the requested domain: a str, or a tuple of str when
          ``domain`` is a list/tuple (``"all"`` gives
          :data:`SENTIMENT_DOMAINS`)
        - ``target_names`` : ndarray ``["negative", "positive"]``
        - ``DESCR`` : str, source, counts of this selection, licence and
          citation

    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    ValueError
        If a domain is unknown (the message lists the valid ones), repeated
        or none is given, or ``margin`` is outside ``[0, 4]``.
    TypeError
        If ``domain``, ``margin`` or ``return_X_y`` has the wrong type.

    See Also
    --------
    load_dataset : Numeric data sets as ready-made train/test splits.

    Notes
    -----
    The ``products`` and ``editorials`` snippets are sentences of longer
    documents: sentences of one review share vocabulary, product and often
    sentiment, so a random split puts near-copies of the test documents into
    the training pool and overstates accuracy. Split them by ``groups``
    (:class:`~sklearn.model_selection.GroupShuffleSplit`,
    :class:`~sklearn.model_selection.GroupKFold`). ``movies`` and ``tweets``
    have one snippet per group, so a grouped split is an ordinary one there.

    The data come from ``hutto_ICWSM_2014.tar.gz`` in the ``vaderSentiment``
    3.3.2 source distribution, MIT licence, Copyright (c) 2016 C.J. Hutto;
    ``skactive/datasets/data/README.md`` has the licence text and the command
    that built the bundled file. The parsed table is cached, so repeated
    calls only copy arrays.

    References
    ----------
    .. [1] C.J. Hutto and E.E. Gilbert, "VADER: A Parsimonious Rule-based
       Model for Sentiment Analysis of Social Media Text", Eighth
       International Conference on Weblogs and Social Media (ICWSM-14),
       Ann Arbor, MI, June 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.datasets import load_sentiment
    >>> movies = load_sentiment("movies")
    >>> movies.data.shape, np.bincount(movies.target).tolist()
    ((10072,), [5076, 4996])
    >>> movies.target_names.tolist()
    ['negative', 'positive']
    >>> load_sentiment("movies", margin=0).data.shape
    (10568,)
    >>> X, y = load_sentiment("tweets", return_X_y=True)
    >>> len(X), round(float(y.mean()), 3)
    (3432, 0.683)

    Product reviews contribute several sentences each; keep them together:

    >>> from sklearn.model_selection import GroupShuffleSplit
    >>> products = load_sentiment("products")
    >>> products.ids[:3].tolist(), products.groups[:3].tolist()
    (['1_1', '1_5', '1_6'], ['1', '1', '1'])
    >>> splitter = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=0)
    >>> train, test = next(splitter.split(products.data, groups=products.groups))
    >>> set(products.groups[train]) & set(products.groups[test])
    set()

    Several domains at once:

    >>> both = load_sentiment(["products", "editorials"])
    >>> both.data.shape, np.unique(both.domains).tolist()
    ((5955,), ['editorials', 'products'])
    >>> both.domain, both.groups[:2].tolist()
    (('products', 'editorials'), ['products:1', 'products:1'])
    """
    names = _check_domains(domain)
    margin = _check_margin(margin)
    if not isinstance(return_X_y, (bool, np.bool_)):
        raise TypeError(
            "return_X_y must be a bool, got "
            f"{type(return_X_y).__name__} ({return_X_y!r})."
        )

    # One named domain keeps the source's group ids; a list/tuple or "all"
    # qualifies them with the domain so that they never collide.
    single = isinstance(domain, str) and domain != "all"
    table = _read_table()
    parts = {key: [] for key in ("data", "rating", "groups", "ids", "domains")}
    kept = {}
    for name in names:
        cols = table[name]
        rating = cols["rating"]
        keep = (np.abs(rating) >= margin) & (rating != 0.0)
        groups = cols["groups"][keep]
        if not single:
            groups = np.char.add(f"{name}:", groups)
        n_pos = int(np.count_nonzero(rating[keep] > 0))
        kept[name] = (int(np.count_nonzero(keep)) - n_pos, n_pos)
        parts["data"].append(cols["text"][keep])
        parts["rating"].append(rating[keep])
        parts["groups"].append(groups)
        parts["ids"].append(cols["ids"][keep])
        parts["domains"].append(np.full(int(np.count_nonzero(keep)), name))
    # np.concatenate copies, so the cached arrays never leave this module.
    out = {key: np.concatenate(value) for key, value in parts.items()}
    if out["data"].size == 0:
        raise ValueError(
            f"margin={margin!r} leaves no snippet in domain={domain!r}; the "
            "largest absolute mean rating is below it."
        )
    target = (out["rating"] > 0).astype(np.int64)
    if return_X_y:
        return out["data"], target
    return Bunch(
        data=out["data"],
        target=target,
        rating=out["rating"],
        groups=out["groups"],
        ids=out["ids"],
        domains=out["domains"],
        domain=names[0] if single else names,
        target_names=np.array(_TARGET_NAMES),
        DESCR=_describe(names, margin, kept),
    )
