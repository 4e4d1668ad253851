"""skorch networks for deep active learning (needs the ``deep`` extra).

:class:`NetClassifier` wraps a torch module in a skorch classifier that
exposes embeddings, gradient embeddings and Monte-Carlo dropout; the modules
and factories here build the architectures of the deep active learning
literature.
"""

from ._base import ConsistentDropout, NetClassifier, resolve_device
from ._factories import make_image_cnn, make_mlp, make_sequence_cnn
from ._modules import ImageCNNModule, MLPModule, SequenceCNNModule
from ._text import (
    LSTMModule,
    SequenceVectorizer,
    TextCNNModule,
    make_lstm,
    make_text_cnn,
    ppmi_word_vectors,
)

__all__ = [
    "ConsistentDropout",
    "ImageCNNModule",
    "LSTMModule",
    "MLPModule",
    "NetClassifier",
    "SequenceCNNModule",
    "SequenceVectorizer",
    "TextCNNModule",
    "make_image_cnn",
    "make_lstm",
    "make_mlp",
    "make_sequence_cnn",
    "make_text_cnn",
    "ppmi_word_vectors",
    "resolve_device",
]
