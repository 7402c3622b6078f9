"""Tollgate for the LiteLLM proxy.

general_settings.custom_auth: tollgate_litellm.user_api_key_auth
litellm_settings.callbacks: tollgate_litellm.outcome_logger
"""

from tollgate_litellm.auth import user_api_key_auth
from tollgate_litellm.outcomes import OutcomeLogger, outcome_logger

__all__ = ["user_api_key_auth", "OutcomeLogger", "outcome_logger"]
