/**
 * @hadnet/train: HAD-Net training in TensorFlow.js (teacher, student, distillation) and ONNX
 * export.
 */
// TODO: the networks, losses, stages and exporter are not written yet (issues "training core" and
// "ONNX export"); this package only reserves the name and the build so far.
export const PACKAGE_NAME = '@hadnet/train';
