package seismo

// Service describes one online service seismo watches.
type Service struct {
	ID     string `json:"id"`     // canonical id: whatsapp, instagram, x, ...
	Name   string `json:"name"`   // display name
	Parent string `json:"parent"` // parent company, for linking related incidents
}
