"""The per-patient HTML page of ``python -m oncomix classify``: each new tumour's subtype, probability and the
targetable markers of its subtype with the tumour's own values.
"""

from __future__ import annotations

import jinja2
import pandas as pd


def render_patients(calls: pd.DataFrame, markers: pd.DataFrame, model: str) -> str:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("oncomix", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    per_patient = {
        sample: list(rows.fillna({"gene_symbol": "", "approved_drugs": ""}).itertuples())
        for sample, rows in markers.groupby("sample_id")
    }
    return environment.get_template("patients.html.j2").render(model=model, calls=calls, markers=per_patient)
