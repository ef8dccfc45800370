"""Admin operations shared by the admin API (:mod:`hub.api.admin`) and pages
(:mod:`hub.pages.admin`): users, devices and the configuration, each audited."""

from hub.admin.accounts import (
    create_user,
    int_id,
    register_device,
    rekey_device,
    reset_password,
    revoke_device,
    set_user_active,
)
from hub.admin.configuration import ConfigInvalid, config_digest, config_view, reload_config

__all__ = [
    "ConfigInvalid",
    "config_digest",
    "config_view",
    "create_user",
    "int_id",
    "register_device",
    "rekey_device",
    "reload_config",
    "reset_password",
    "revoke_device",
    "set_user_active",
]
