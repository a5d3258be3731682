package api

import "slices"

// Routes returns the patterns registered on s's mux, the catch-all "/"
// included.
func Routes(s *Server) []string { return slices.Clone(s.mux.patterns) }
