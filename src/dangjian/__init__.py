"""党建+ (dangjian-plus): party building woven into the business."""
