"""The text set-up shared by ``train_alil.py`` and ``benchmarks/alil_transfer.py``.

Documents of every sentiment domain (:func:`skactive.datasets.load_sentiment`,
all snippets, labels unused) fix one vocabulary and one table of word vectors
(:func:`skactive.nets.ppmi_word_vectors`): the role the fixed multiCCA
vectors play in ALIL. The classifier is ALIL's text CNN (50 filters of width
3, mean over positions: a 50-dimensional document embedding) on those fixed
vectors, retrained from its seeded initialisation at every step.
"""

from functools import lru_cache

import numpy as np

MAX_LEN = 40
MAX_FEATURES = 20000
N_COMPONENTS = 50
CNN = dict(max_epochs=20, lr=1e-2, batch_size=32, n_filters=50, kernel_size=3)


@lru_cache(maxsize=1)
def text_setup():
    """(vectorizer, word vectors), fitted on the text of all domains."""
    from skactive.datasets import load_sentiment
    from skactive.nets import SequenceVectorizer, ppmi_word_vectors

    docs = load_sentiment("all", margin=0.0).data
    vec = SequenceVectorizer(max_features=MAX_FEATURES, max_len=MAX_LEN, min_df=2)
    tokens = vec.fit_transform(docs)
    W = ppmi_word_vectors(tokens, vec.vocabulary_size_, n_components=N_COMPONENTS)
    return vec, W


def domain_tokens(domain):
    """Token matrix, labels and groups of one domain (default margin)."""
    from skactive.datasets import load_sentiment

    vec, _ = text_setup()
    data = load_sentiment(domain)
    return vec.transform(data.data), data.target, np.asarray(data.groups)


def text_cnn(device="cpu", **overrides):
    """ALIL's text CNN on the fixed word vectors."""
    from skactive.nets import make_text_cnn

    vec, W = text_setup()
    params = dict(CNN, **overrides)
    return make_text_cnn(vec.vocabulary_size_, embedding_weights=W,
                         freeze_embedding=True, dropout=0.5, device=device, **params)
