package dashboard

import (
	"io/fs"
	"testing"
)

// maxAssets bounds what the binary embeds for the dashboard, vendored
// libraries included: every byte ships in every seismo binary.
const maxAssets = 1_000_000

func TestAssetsSize(t *testing.T) {
	total := 0
	err := fs.WalkDir(embedded, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += int(info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total += len(shellHTML)
	t.Logf("embedded dashboard assets: %d bytes", total)
	if total > maxAssets {
		t.Errorf("embedded dashboard assets are %d bytes, over the limit of %d", total, maxAssets)
	}
	if total < 100_000 {
		t.Errorf("embedded dashboard assets are only %d bytes: are the vendored libraries missing?", total)
	}
}
