"""Network modules with a ``features`` / ``head`` split.

Each module computes ``forward(x) = head(dropout(features(x)))``: ``features``
is the penultimate representation strategies embed with, ``head`` the final
linear layer whose gradient BADGE uses. Flat inputs are reshaped, so the
same ``(n_samples, n_features)`` arrays scikit-learn passes around work.
"""

import math

import torch
from torch import nn

from ._base import ConsistentDropout

__all__ = ["ImageCNNModule", "MLPModule", "SequenceCNNModule"]


def _as_float(x):
    """Integer or boolean inputs (from scikit-learn arrays) as float32."""
    return x if torch.is_floating_point(x) else x.float()


class MLPModule(nn.Module):
    """Multi-layer perceptron: ``[Linear, ReLU, ConsistentDropout]`` per hidden layer.

    Parameters
    ----------
    n_features : int
        Input size (inferred by :class:`NetClassifier` from the data).
    n_classes : int
        Output size (inferred from the labels).
    hidden_sizes : tuple of int, default=(128,)
        Width of each hidden layer; the last one is the embedding size.
    dropout : float, default=0.5
        Dropout after every hidden layer (MC-dropout capable).

    Examples
    --------
    >>> import torch
    >>> from skactive.nets import MLPModule
    >>> m = MLPModule(n_features=10, n_classes=3, hidden_sizes=(32, 16))
    >>> m(torch.zeros(5, 10)).shape, m.features(torch.zeros(5, 10)).shape
    (torch.Size([5, 3]), torch.Size([5, 16]))
    """

    def __init__(self, n_features, n_classes, hidden_sizes=(128,), dropout=0.5):
        super().__init__()
        sizes = [int(n_features)] + [int(h) for h in hidden_sizes]
        if len(sizes) < 2:
            raise ValueError("hidden_sizes needs at least one layer, e.g. (128,).")
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers += [nn.Linear(a, b), nn.ReLU()]
            if i < len(sizes) - 2:
                layers.append(ConsistentDropout(dropout))
        self.body = nn.Sequential(*layers)
        self.dropout = ConsistentDropout(dropout)
        self.head = nn.Linear(sizes[-1], int(n_classes))

    def features(self, x):
        return self.body(_as_float(x).reshape(x.shape[0], -1))

    def forward(self, x):
        return self.head(self.dropout(self.features(x)))


def _same_pad(kernel_size):
    """(left, right) zero padding that keeps the length for any kernel size."""
    left = (int(kernel_size) - 1) // 2
    return left, int(kernel_size) - 1 - left


def _image_shape(input_shape, n_features):
    if input_shape is not None:
        shape = tuple(int(s) for s in input_shape)
        if len(shape) == 2:
            shape = (1,) + shape
        if len(shape) != 3:
            raise ValueError(
                f"input_shape must be (C, H, W) or (H, W), got {input_shape}."
            )
        return shape
    side = math.isqrt(int(n_features))
    if side * side != n_features:
        raise ValueError(
            f"Cannot infer a square image from n_features={n_features}; pass "
            "module__input_shape=(channels, height, width)."
        )
    return (1, side, side)


class ImageCNNModule(nn.Module):
    """The CNN of Gal et al. (2017) and IALE.

    ``conv(32, 4) → ReLU → conv(32, 4) → ReLU → max-pool 2 → dropout 0.25 →
    dense 128 → ReLU → dropout 0.5 → linear``, with "same" padding so 8×8
    digits and 28×28 images both work (28×28 gives IALE's 32·14·14 = 6272
    inputs to the dense layer). Flat rows are reshaped to ``input_shape``.

    Parameters
    ----------
    n_features : int
        Flat input size; used to infer a square one-channel image when
        ``input_shape`` is None.
    n_classes : int
    input_shape : tuple or None, default=None
        ``(channels, height, width)`` or ``(height, width)``.
    n_filters : int, default=32
    kernel_size : int, default=4
    hidden : int, default=128
        Size of the dense layer (the embedding).
    dropout_conv : float, default=0.25
    dropout : float, default=0.5

    Examples
    --------
    >>> import torch
    >>> from skactive.nets import ImageCNNModule
    >>> m = ImageCNNModule(n_features=64, n_classes=10)
    >>> m(torch.zeros(2, 64)).shape, m.features(torch.zeros(2, 64)).shape
    (torch.Size([2, 10]), torch.Size([2, 128]))
    """

    def __init__(self, n_features=None, n_classes=10, input_shape=None, n_filters=32,
                 kernel_size=4, hidden=128, dropout_conv=0.25, dropout=0.5):
        super().__init__()
        self.input_shape = _image_shape(input_shape, n_features)
        c, h, w = self.input_shape
        # Explicit padding: "same" with an even kernel copies the input.
        pad = _same_pad(kernel_size)
        self.conv = nn.Sequential(
            nn.ZeroPad2d(pad + pad),
            nn.Conv2d(c, n_filters, kernel_size),
            nn.ReLU(),
            nn.ZeroPad2d(pad + pad),
            nn.Conv2d(n_filters, n_filters, kernel_size),
            nn.ReLU(),
            nn.MaxPool2d(2),
            ConsistentDropout(dropout_conv),
        )
        self.dense = nn.Sequential(
            nn.Linear(n_filters * (h // 2) * (w // 2), hidden), nn.ReLU()
        )
        self.dropout = ConsistentDropout(dropout)
        self.head = nn.Linear(hidden, int(n_classes))

    def features(self, x):
        x = self.conv(_as_float(x).reshape((x.shape[0],) + self.input_shape))
        return self.dense(torch.flatten(x, 1))

    def forward(self, x):
        return self.head(self.dropout(self.features(x)))


class SequenceCNNModule(nn.Module):
    """1-D CNN for fixed-length signals such as MNIST-1D.

    ``conv1d(n_filters, k) → ReLU → conv1d(n_filters, k) → ReLU → max-pool 2 →
    dropout → dense hidden → ReLU → dropout → linear``; flat rows of length
    ``n_features * n_channels`` are reshaped to ``(n_channels, length)``.

    Parameters
    ----------
    n_features : int
        Flat input size.
    n_classes : int
    n_channels : int, default=1
    n_filters : int, default=32
    kernel_size : int, default=5
    hidden : int, default=128
    dropout_conv : float, default=0.25
    dropout : float, default=0.5

    Examples
    --------
    >>> import torch
    >>> from skactive.nets import SequenceCNNModule
    >>> m = SequenceCNNModule(n_features=40, n_classes=10)
    >>> m(torch.zeros(3, 40)).shape
    torch.Size([3, 10])
    """

    def __init__(self, n_features, n_classes, n_channels=1, n_filters=32,
                 kernel_size=5, hidden=128, dropout_conv=0.25, dropout=0.5):
        super().__init__()
        if int(n_features) % int(n_channels):
            raise ValueError(
                f"n_features={n_features} is not a multiple of n_channels={n_channels}."
            )
        self.n_channels = int(n_channels)
        self.length = int(n_features) // self.n_channels
        pad = _same_pad(kernel_size)
        self.conv = nn.Sequential(
            nn.ConstantPad1d(pad, 0.0),
            nn.Conv1d(self.n_channels, n_filters, kernel_size),
            nn.ReLU(),
            nn.ConstantPad1d(pad, 0.0),
            nn.Conv1d(n_filters, n_filters, kernel_size),
            nn.ReLU(),
            nn.MaxPool1d(2),
            ConsistentDropout(dropout_conv),
        )
        self.dense = nn.Sequential(
            nn.Linear(n_filters * (self.length // 2), hidden), nn.ReLU()
        )
        self.dropout = ConsistentDropout(dropout)
        self.head = nn.Linear(hidden, int(n_classes))

    def features(self, x):
        x = self.conv(_as_float(x).reshape(x.shape[0], self.n_channels, self.length))
        return self.dense(torch.flatten(x, 1))

    def forward(self, x):
        return self.head(self.dropout(self.features(x)))
