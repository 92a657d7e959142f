"""The Gradio web chat over the `rag` library."""
