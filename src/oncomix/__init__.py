"""oncomix: multi-omics tumour subtypes and biomarkers per subtype, with MOFA+."""

import warnings

import mudata

mudata.set_options(pull_on_update=False)
# The same gene id in several views (mutation, RNA, protein) is expected in multi-omics data.
warnings.filterwarnings("ignore", message="var_names are not unique", category=UserWarning)

__version__ = "0.1.0"
