throw new Error('onnxruntime-node is not installed: voicebot runs Silero VAD through sherpa-onnx-node');
