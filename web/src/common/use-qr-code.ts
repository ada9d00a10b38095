import { computed, toValue, type MaybeRefOrGetter } from 'vue'
import { encode } from 'uqr'

/**
 * A QR code as one SVG path, built here from the module matrix: no HTML string to inject,
 * no inline style, nothing fetched. Dark modules in a row are merged into runs to keep the
 * path short. The quiet zone (4 modules) is what phone cameras need to lock on.
 */
export function useQrCode(text: MaybeRefOrGetter<string>) {
  return computed(() => {
    const { size, data } = encode(toValue(text), { ecc: 'M', border: 4 })
    let path = ''
    data.forEach((row, y) => {
      let x = 0
      while (x < size) {
        if (!row[x]) {
          x++
          continue
        }
        const start = x
        while (x < size && row[x]) x++
        path += `M${start} ${y}h${x - start}v1h${start - x}z`
      }
    })
    return { size, path }
  })
}
