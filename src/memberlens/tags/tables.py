"""The names of the tables the tag runner writes, in one place for every reader."""

PROFILE = "member_profile"  # the latest state: one row per member, one column per tag
HISTORY = "tag_history"  # dated snapshots of the same columns
