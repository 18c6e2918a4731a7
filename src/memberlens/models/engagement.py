"""Engagement propensity → how often to contact a member (DOMAIN.md: sets message frequency).

The model is the ordinary classifier on target ``engagement``: P(the member clicks,
logs in or opens a message in the next 30 days), trained and judged on the time-split
holdout like churn (AUC, lift by decile). The probability maps to a suggested contact
frequency at the model's tier cut points, fixed when it was trained (the top 20 % of
holdout scores: weekly; the next 30 %: every two weeks; the rest: monthly), so a
member's frequency only changes when their propensity does. Engaging events are rare
(a few per cent a month), so absolute cut points would put almost everyone on the
monthly plan; ranked cut points keep the most responsive fifth on a weekly rhythm and
spare the others (the frequency-cap advice of DOMAIN.md).
"""

from __future__ import annotations

import numpy as np

FREQUENCIES = ("weekly", "biweekly", "monthly")
FREQUENCY_LABELS = {"weekly": ("每周", "Weekly"), "biweekly": ("每两周", "Every two weeks"),
                    "monthly": ("每月", "Monthly")}


def contact_frequency(probability: np.ndarray, cuts: tuple[float, float]) -> np.ndarray:
    """The suggested contact frequency: weekly at or above ``cuts[0]``, biweekly above ``cuts[1]``.

    >>> contact_frequency(np.array([0.7, 0.3, 0.05]), (0.5, 0.2)).tolist()
    ['weekly', 'biweekly', 'monthly']
    """
    weekly, biweekly = cuts
    return np.where(probability >= weekly, "weekly",
                    np.where(probability >= biweekly, "biweekly", "monthly")).astype(object)


def frequency_label(frequency: str, lang: str = "zh") -> str:
    zh, en = FREQUENCY_LABELS[frequency]
    return zh if lang == "zh" else en
