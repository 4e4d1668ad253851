"""Seeding of nested estimators."""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["seed_random_states"]


def seed_random_states(estimator, random_state, *, only_unset=True):
    """Give the ``random_state`` parameters of ``estimator`` seeds.

    Walks the nested parameters (``get_params(deep=True)``: pipeline steps,
    wrapped classifiers, the members of a committee list) and sets each
    ``*random_state`` that is ``None`` (every one, with ``only_unset=False``)
    to an integer drawn from ``random_state``. This is what makes a loop
    reproducible from one seed, as scikit-learn's ensembles do for their
    sub-estimators.

    Parameters
    ----------
    estimator : estimator
        Modified in place; pass a clone to keep the original.
    random_state : int, RandomState instance or None
        Source of the seeds.
    only_unset : bool, default=True
        Keep the seeds the user set; False overwrites them too (bagging).

    Returns
    -------
    estimator : estimator
        The same object.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.decomposition import PCA
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skactive.utils import seed_random_states
    >>> pipe = make_pipeline(PCA(random_state=7), RandomForestClassifier())
    >>> pipe = seed_random_states(pipe, 0)
    >>> pipe.get_params()["pca__random_state"]
    7
    >>> isinstance(pipe.get_params()["randomforestclassifier__random_state"], int)
    True
    """
    rng = check_random_state(random_state)
    params = estimator.get_params(deep=True)
    seeds = {
        key: int(rng.randint(np.iinfo(np.int32).max))
        for key in sorted(params)
        if key.endswith("random_state") and (params[key] is None or not only_unset)
    }
    if seeds:
        estimator.set_params(**seeds)
    for key in sorted(params):
        # Lists of estimators (a committee) are not expanded by get_params.
        value = params[key]
        if isinstance(value, (list, tuple)) and "__" not in key:
            for member in value:
                if hasattr(member, "get_params"):
                    seed_random_states(member, rng, only_unset=only_unset)
    return estimator
