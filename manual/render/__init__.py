"""Render: the merged Manual → outputs (website, PDF, exports). Only these modules write outputs."""
