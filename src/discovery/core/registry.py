"""Imports every model module so that ``Base.metadata`` knows every table."""

from discovery.assets import models as assets_models
from discovery.auth import models as auth_models
from discovery.core.models import Base
from discovery.flows import models as flows_models
from discovery.imports import models as imports_models
from discovery.mapping import models as mapping_models
from discovery.tenancy import models as tenancy_models
from discovery.web import models as web_models

MODEL_MODULES = (
    tenancy_models, flows_models, imports_models, mapping_models, assets_models, auth_models,
    web_models,
)  # fmt: skip

metadata = Base.metadata

__all__ = ["MODEL_MODULES", "metadata"]
