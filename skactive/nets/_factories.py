"""Factories for the networks of the deep active learning literature."""

from ._base import NetClassifier
from ._modules import ImageCNNModule, MLPModule, SequenceCNNModule

__all__ = ["make_image_cnn", "make_mlp", "make_sequence_cnn"]


def make_mlp(hidden_sizes=(128,), *, dropout=0.5, **net_params):
    """An MLP classifier, like scikit-learn's ``MLPClassifier`` but with the AL hooks.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(128,)
        Hidden layer widths (``module__hidden_sizes``).
    dropout : float, default=0.5
        Dropout after each hidden layer (``module__dropout``).
    **net_params
        :class:`NetClassifier` parameters (``max_epochs``, ``lr``,
        ``batch_size``, ``random_state``, ``device``...).

    Returns
    -------
    net : NetClassifier

    Examples
    --------
    >>> from skactive.nets import make_mlp
    >>> net = make_mlp((64, 32), max_epochs=10, random_state=0)
    >>> net.get_params()["module__hidden_sizes"]
    (64, 32)
    """
    return NetClassifier(MLPModule, module__hidden_sizes=tuple(hidden_sizes),
                         module__dropout=dropout, **net_params)


def make_image_cnn(input_shape=None, *, n_filters=32, kernel_size=4, hidden=128,
                   dropout_conv=0.25, dropout=0.5, **net_params):
    """The CNN of Gal et al. (2017) and IALE (:class:`ImageCNNModule`).

    Parameters
    ----------
    input_shape : tuple or None, default=None
        ``(channels, height, width)``; None infers a square one-channel image
        from the number of features (8×8 digits, 28×28 MNIST).
    n_filters, kernel_size, hidden, dropout_conv, dropout
        Architecture, see :class:`ImageCNNModule`.
    **net_params
        :class:`NetClassifier` parameters.

    Returns
    -------
    net : NetClassifier

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive.nets import make_image_cnn
    >>> X, y = load_digits(return_X_y=True)
    >>> net = make_image_cnn(max_epochs=5, random_state=0).fit(X[:100] / 16, y[:100])
    >>> net.embed(X[:3] / 16).shape
    (3, 128)
    """
    return NetClassifier(
        ImageCNNModule, module__input_shape=input_shape, module__n_filters=n_filters,
        module__kernel_size=kernel_size, module__hidden=hidden,
        module__dropout_conv=dropout_conv, module__dropout=dropout, **net_params,
    )


def make_sequence_cnn(n_channels=1, *, n_filters=32, kernel_size=5, hidden=128,
                      dropout_conv=0.25, dropout=0.5, **net_params):
    """A 1-D CNN for fixed-length signals such as MNIST-1D (:class:`SequenceCNNModule`).

    Parameters
    ----------
    n_channels : int, default=1
        Channels per time step; rows are ``n_channels * length`` long.
    n_filters, kernel_size, hidden, dropout_conv, dropout
        Architecture, see :class:`SequenceCNNModule`.
    **net_params
        :class:`NetClassifier` parameters.

    Returns
    -------
    net : NetClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.nets import make_sequence_cnn
    >>> X = np.random.RandomState(0).randn(40, 40)
    >>> y = (X[:, :20].sum(1) > 0).astype(int)
    >>> make_sequence_cnn(max_epochs=3, random_state=0).fit(X, y).predict(X[:2]).shape
    (2,)
    """
    return NetClassifier(
        SequenceCNNModule, module__n_channels=n_channels, module__n_filters=n_filters,
        module__kernel_size=kernel_size, module__hidden=hidden,
        module__dropout_conv=dropout_conv, module__dropout=dropout, **net_params,
    )
