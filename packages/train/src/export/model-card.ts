/**
 * The hadnet model card as ONNX `metadata_props`: the keys of ../shared/CONTRACTS.md ("Models and
 * runs"), written so that `@hadnet/core`'s `parseModelCard` reads back the very card given.
 * May depend on: `@hadnet/core` (the card's type, its parser, errors).
 */
import { parseModelCard, type ModelCard } from '@hadnet/core';

/**
 * The metadata entries of a model card, one per key of CONTRACTS.md: `hadnet.format` "1",
 * `hadnet.role`, `hadnet.sequences` (JSON array in channel order), `hadnet.classes` (the count,
 * or a JSON array when the card names the classes), `hadnet.normalisation`, `hadnet.spacingMm`
 * (JSON `[x, y, z]`), `hadnet.inputMode`, `hadnet.roiSize` (JSON `[D, H, W]`; written only when the
 * card has one, which `'tiles'` requires), `hadnet.padMultiple`, `hadnet.mirrorAxes` (JSON array),
 * `hadnet.training` (JSON object) and `hadnet.codeVersion`.
 *
 * The entries are parsed back with `parseModelCard` before they are returned, so a card that
 * `segment()` would refuse is refused here, with the same message.
 *
 * @param card - the card; `format` must be 1
 * @returns the entries, keyed as CONTRACTS.md names them
 * @throws InvalidModelError when a field is missing or malformed (from `parseModelCard`)
 * @example
 * ```ts
 * modelCardMetadata(card)['hadnet.sequences']; // '["flair","t1","t2"]'
 * ```
 */
export function modelCardMetadata(card: ModelCard): Record<string, string> {
  if (typeof card !== 'object' || card === null) {
    throw new TypeError(`modelCardMetadata: card must be a ModelCard object; got ${String(card)}`);
  }
  const entries: Record<string, string> = {
    'hadnet.format': String(card.format),
    'hadnet.role': card.role,
    'hadnet.sequences': JSON.stringify(card.sequences),
    'hadnet.classes': card.classNames === undefined ? String(card.classes) : JSON.stringify(card.classNames),
    'hadnet.normalisation': card.normalisation,
    'hadnet.spacingMm': JSON.stringify(card.spacingMm),
    'hadnet.inputMode': card.inputMode,
    ...(card.roiSize === undefined ? {} : { 'hadnet.roiSize': JSON.stringify(card.roiSize) }),
    'hadnet.padMultiple': String(card.padMultiple),
    ...(card.mirrorAxes === undefined ? {} : { 'hadnet.mirrorAxes': JSON.stringify(card.mirrorAxes) }),
    'hadnet.training': JSON.stringify(card.training),
    'hadnet.codeVersion': card.codeVersion,
  };
  parseModelCard(entries);
  return entries;
}
