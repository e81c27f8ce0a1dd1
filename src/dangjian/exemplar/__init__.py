"""模范工程 "三亮三比三评" (SPEC §2.3): 三亮 in ``showcase``; 三比 in ``study`` (比学习),
``conduct`` (比作风) and ``contests`` (比业绩); 三评 lives in the ``appraisal`` app."""
