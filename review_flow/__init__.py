"""review-flow: confidentiality review (保密审查) before official documents (公文) are published."""

__version__ = "0.1.0"
