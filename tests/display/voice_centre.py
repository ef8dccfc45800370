"""A centre whose counters and voice exercise the announcer's readings: a counter id
with a letter ("3A"), a counter known by its name ("mot-cua", "Một cửa"), prefix A,
the southern reading with four = "bon"."""

CENTRE_TOML = """\
[site]
id = "que-son"
name = "Trung tâm Phục vụ hành chính công huyện Quế Sơn"

[[services]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"
digits = 3

[[counters]]
id = "3A"
name = "Quầy 3A"
services = ["dat-dai"]

[[counters]]
id = "mot-cua"
name = "Một cửa"
services = ["dat-dai"]

[display]
region = "south"
four = "bon"
"""
