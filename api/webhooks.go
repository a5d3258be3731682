package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/notify"
)

// Webhooks is what the admin endpoints for webhooks and silences use
// (implemented by *notify.Webhooks).
type Webhooks interface {
	Create(ctx context.Context, in notify.SubscriptionInput) (notify.Subscription, string, error)
	Subscriptions(ctx context.Context) ([]notify.Subscription, error)
	Subscription(ctx context.Context, id string) (notify.Subscription, error)
	Update(ctx context.Context, id string, in notify.SubscriptionInput) (notify.Subscription, error)
	Delete(ctx context.Context, id string) error
	RotateSecret(ctx context.Context, id string) (string, error)
	Test(ctx context.Context, id string) (notify.Delivery, error)
	Deliveries(ctx context.Context, id string, limit int) ([]notify.Delivery, error)
	Retry(ctx context.Context, id, deliveryID string) (notify.Delivery, error)
	CreateSilence(ctx context.Context, in notify.SilenceInput) (notify.Silence, error)
	Silences(ctx context.Context) ([]notify.Silence, error)
	DeleteSilence(ctx context.Context, id string) error
}

// webhookRoutes registers the webhook and silence endpoints; ServeHTTP
// lets only administrators reach their paths.
func (s *Server) webhookRoutes() {
	for pattern, h := range map[string]http.HandlerFunc{
		"POST /v1/webhooks":                                     s.createWebhook,
		"GET /v1/webhooks":                                      s.listWebhooks,
		"GET /v1/webhooks/{id}":                                 s.getWebhook,
		"PATCH /v1/webhooks/{id}":                               s.updateWebhook,
		"DELETE /v1/webhooks/{id}":                              s.deleteWebhook,
		"POST /v1/webhooks/{id}/rotate-secret":                  s.rotateSecret,
		"POST /v1/webhooks/{id}/test":                           s.testWebhook,
		"GET /v1/webhooks/{id}/deliveries":                      s.listDeliveries,
		"POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry": s.retryDelivery,
		"POST /v1/silences":                                     s.createSilence,
		"GET /v1/silences":                                      s.listSilences,
		"DELETE /v1/silences/{id}":                              s.deleteSilence,
	} {
		s.mux.HandleFunc(pattern, h)
	}
}

func (s *Server) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.cfg.Timeout)
}

// createdWebhook is a subscription as first shown: with its secret.
type createdWebhook struct {
	notify.Subscription
	Secret string `json:"secret"`
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	var in notify.SubscriptionInput
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	sub, secret, err := s.cfg.Webhooks.Create(ctx, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/webhooks/"+sub.ID)
	writeJSON(w, http.StatusCreated, createdWebhook{sub, secret})
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	subs, err := s.cfg.Webhooks.Subscriptions(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if subs == nil {
		subs = []notify.Subscription{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": subs})
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	sub, err := s.cfg.Webhooks.Subscription(ctx, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sub)
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) {
	var in notify.SubscriptionInput
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	sub, err := s.cfg.Webhooks.Update(ctx, r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sub)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := s.cfg.Webhooks.Delete(ctx, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) rotateSecret(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	secret, err := s.cfg.Webhooks.RotateSecret(ctx, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"secret": secret,
		"note": fmt.Sprintf("the previous secret signs too for %s", notify.SecretOverlap)})
}

func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	d, err := s.cfg.Webhooks.Test(ctx, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, d)
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			s.writeError(w, r, seismo.Invalid(fmt.Sprintf("limit must be an integer from 1 to %d", maxLimit)))
			return
		}
		limit = n
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	ds, err := s.cfg.Webhooks.Deliveries(ctx, r.PathValue("id"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
}

func (s *Server) retryDelivery(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	d, err := s.cfg.Webhooks.Retry(ctx, r.PathValue("id"), r.PathValue("delivery_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, d)
}

func (s *Server) createSilence(w http.ResponseWriter, r *http.Request) {
	var in notify.SilenceInput
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	sl, err := s.cfg.Webhooks.CreateSilence(ctx, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.overviews.clear() // it shows which incidents are silenced
	w.Header().Set("Location", "/v1/silences/"+sl.ID)
	writeJSON(w, http.StatusCreated, sl)
}

func (s *Server) listSilences(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	sls, err := s.cfg.Webhooks.Silences(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if sls == nil {
		sls = []notify.Silence{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"silences": sls})
}

func (s *Server) deleteSilence(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := s.cfg.Webhooks.DeleteSilence(ctx, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.overviews.clear()
	w.WriteHeader(http.StatusNoContent)
}
