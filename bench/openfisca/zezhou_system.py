"""Assembles the peer's OpenFisca model (/work/shared/peers/openfisca/openfisca_zezhou) into a
TaxBenefitSystem and builds simulations with manual enterprise–project membership.

The peer ships entities, enums, variables and parameters but no package ``__init__.py``, no
TaxBenefitSystem and no ``simulation.py``. This module supplies those pieces without touching
the peer: the peer directory is put on ``sys.path`` and ``openfisca_zezhou`` is imported as a
namespace package (its ``variables`` sub-package does have an ``__init__.py``).
"""
from __future__ import annotations

import importlib
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEER = os.environ.get(
    "ZEZHOU_OPENFISCA_PEER",
    os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "peers", "openfisca")),
)
if not os.path.isdir(DEFAULT_PEER):
    DEFAULT_PEER = "/work/shared/peers/openfisca"

# The variable modules, in dependency order, each with a VARIABLES list.
VARIABLE_MODULES = ["facts", "history", "chain_master", "above_scale", "recognitions", "rd", "projects"]

# Rule id -> (clause, per_project). Ids and clauses are those of POLICY.md.
RULES = {
    "chain_master_revenue_300m": "三（一）",
    "chain_master_revenue_500m": "三（一）",
    "local_sourcing_increase": "三（二）",
    "champion_province": "三（三）",
    "champion_national": "三（三）",
    "specialized_city": "三（三）",
    "little_giant_province": "三（三）",
    "little_giant_national": "三（三）",
    "above_scale_entry": "三（四）",
    "above_scale_strategic_bonus": "三（四）",
    "above_scale_retained_2y": "三（四）",
    "above_scale_retained_3y": "三（四）",
    "rd_referral": "三（六）",
    "tech_center_province": "三（六）",
    "tech_center_national": "三（六）",
    "project_subsidy": "三（七）",
}
PROJECT_RULES = {"project_subsidy"}


def import_peer(peer_root: str = DEFAULT_PEER):
    """Import the peer package's modules; returns (entities module, enums module, facts module,
    list of variable modules)."""
    if not os.path.isdir(os.path.join(peer_root, "openfisca_zezhou")):
        raise SystemExit(f"peer package not found under {peer_root}")
    import openfisca_core.variables  # noqa: F401  (compiled/cached as usual, before the switch below)

    if peer_root not in sys.path:
        sys.path.insert(0, peer_root)
    # The peer folder is read-only for us: no __pycache__ written into it.
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        entities = importlib.import_module("openfisca_zezhou.entities")
        enums = importlib.import_module("openfisca_zezhou.enums")
        modules = [importlib.import_module(f"openfisca_zezhou.variables.{m}") for m in VARIABLE_MODULES]
    finally:
        sys.dont_write_bytecode = saved
    return entities, enums, modules


def build_tax_benefit_system(peer_root: str = DEFAULT_PEER):
    """TaxBenefitSystem: the peer's entities, every variable of every module's VARIABLES list,
    and the parameters of ``openfisca_zezhou/parameters`` (root node ``zezhou``)."""
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem

    entities, _enums, modules = import_peer(peer_root)
    tbs = TaxBenefitSystem(entities.entities)
    for module in modules:
        for variable in module.VARIABLES:
            tbs.add_variable(_fixed(variable))
    tbs.load_parameters(os.path.join(peer_root, "openfisca_zezhou", "parameters"))
    _fix_eternal_formulas(tbs)
    missing = [r for r in RULES if r not in tbs.variables]
    if missing:
        raise SystemExit(f"peer model lacks rule variables: {missing}")
    return tbs


def _fixed(variable):
    """Work around the peer's declaration slips without editing its files.

    Fix 1: ``facts.py`` declares ``project_category`` with ``value_type=ProjectCategory``;
    OpenFisca wants ``value_type = Enum`` with ``possible_values=ProjectCategory`` (which the
    peer also gives). The variable is re-declared with ``value_type = Enum``."""
    from openfisca_core.indexed_enums import Enum

    value_type = variable.__dict__.get("value_type")
    if isinstance(value_type, type) and issubclass(value_type, Enum) and value_type is not Enum:
        attrs = {k: v for k, v in variable.__dict__.items() if k not in ("__dict__", "__weakref__")}
        attrs["value_type"] = Enum
        attrs.setdefault("possible_values", value_type)
        return type(variable.__name__, variable.__bases__, attrs)
    return variable


def _fix_eternal_formulas(tbs):
    """Fix 2: openfisca-core 46.0.1 cannot run a formula of an ETERNITY variable:
    ``Variable.get_formula`` formats the period's start instant, and the eternity instant
    (-1, -1, -1) is not a date (``ValueError: year -1 is out of range`` from pendulum). The
    peer has two such formulas (``first_annual_row_year``, ``established_year``), each with a
    single undated ``formula``; on our system's variable objects, ``get_formula`` returns it
    directly."""
    from openfisca_core.periods import DateUnit

    for variable in tbs.variables.values():
        if variable.definition_period == DateUnit.ETERNITY and variable.formulas:
            if len(variable.formulas) != 1:
                raise SystemExit(f"{variable.name}: dated formulas on an ETERNITY variable")
            only = variable.formulas.peekitem(0)[1]
            variable.get_formula = lambda period=None, _f=only: _f


def new_simulation(tbs, enterprise_ids, project_ids, project_enterprise_index):
    """A Simulation with ``len(enterprise_ids)`` enterprises and ``len(project_ids)`` projects;
    project i belongs to enterprise ``project_enterprise_index[i]`` (role ``project``).

    Membership is set directly on the populations instead of through
    ``SimulationBuilder.join_with_persons``, which renumbers groups from the members it sees and
    so drops (or shifts) enterprises that have no project."""
    from openfisca_core.simulations import Simulation

    entities = sys.modules["openfisca_zezhou.entities"]
    populations = tbs.instantiate_entities()
    projects = populations[entities.Project.key]
    enterprises = populations[entities.Enterprise.key]
    projects.count = len(project_ids)
    projects.ids = np.asarray(project_ids)
    enterprises.count = len(enterprise_ids)
    enterprises.ids = np.asarray(enterprise_ids)
    enterprises.members_entity_id = np.asarray(project_enterprise_index, dtype=np.int32)
    role = entities.Enterprise.flattened_roles[0]
    enterprises.members_role = np.full(len(project_ids), role, dtype=object)
    return Simulation(tbs, populations)
