// Photos are shrunk on the phone before they wait for upload: at most 1600 px a side,
// JPEG, so a morning of photos fits the device's storage and a slow uplink.
export const MAX_SIDE = 1600;

export async function compress(file) {
  if (file.type && !file.type.startsWith("image/")) {
    throw new Error(`“${file.name}” is not a photo; choose a picture (JPEG, PNG or WebP).`);
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error("That file is not a picture this phone can read.");
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((ok) => canvas.toBlob(ok, "image/jpeg", 0.85));
  return { blob, width: canvas.width, height: canvas.height };
}
