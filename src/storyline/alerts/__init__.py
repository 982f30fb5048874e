"""Follows and alerts: users follow stories, entities and queries; each batch the pipeline
writes is checked for what is new for them, and alerts are recorded and delivered.

Modules, one stage each:

* ``follows`` — following and unfollowing (ids by prefix, names resolved as
  ``storyline entity`` resolves them);
* ``detect`` — what a written batch brings each follow (new developments of a story, new
  stories of an entity or query);
* ``hook`` — ``AlertHook``, which the pipeline calls inside each batch's transaction and
  after its commit;
* ``webhook`` — signed POSTs of alerts, retried, never blocking an ingest;
* ``atom`` — Atom feeds (RFC 4287) of alerts and of a story's developments;
* ``serialize`` — the JSON shapes of follows and alerts.
"""

from storyline.alerts.detect import WrittenBatch, detect_alerts
from storyline.alerts.follows import find_follow_id, find_story_id, follow, unfollow

__all__ = ["WrittenBatch", "detect_alerts", "find_follow_id", "find_story_id", "follow",
           "unfollow"]
