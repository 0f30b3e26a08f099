"""oncomix: multi-omics tumour subtypes and biomarkers per subtype, with MOFA+."""

import mudata

mudata.set_options(pull_on_update=False)

__version__ = "0.1.0"
