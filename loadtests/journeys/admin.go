package journeys

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/trafficsim/trafficsim/harness"
	"github.com/trafficsim/trafficsim/harness/kind"
)

// Admin is an operator: signs up, is promoted to admin by the existing admin
// account, logs in as themself, then creates users in bulk, deactivates and
// reactivates them, changes roles, deletes accounts, and reads stats and the
// audit log. Everything it creates carries the run id, for cleanup.
func (j *Journeys) Admin(ctx context.Context, vu *harness.VU) error {
	st := j.stateOf(vu)
	if stepped, err := onboard(ctx, vu, st); stepped {
		return err
	}
	if !st.promoted && j.opts.AdminEmail != "" {
		st.promoted = true
		if err := j.promote(ctx, vu, st); err != nil {
			return err
		}
	}
	if !st.isAdmin {
		// Not promoted (no admin account known, or it failed): an admin
		// without rights still uses the service.
		return walk(ctx, vu, st, unpromotedAdminActions)
	}
	return walk(ctx, vu, st, adminActions)
}

// promote logs in as the known admin, gives this user the admin role, and
// logs in again as the user.
func (j *Journeys) promote(ctx context.Context, vu *harness.VU, st *state) error {
	if j.opts.AdminEmail == "" {
		st.isAdmin = false
		return nil
	}
	var t tokens
	creds := map[string]string{"email": j.opts.AdminEmail, "password": j.opts.AdminPassword}
	resp, ok, err := do(ctx, vu, harness.Post("/api/auth/login").JSON(creds).Anonymous(), &t)
	if err != nil {
		return err
	}
	vu.RecordLogin(loginOutcome(resp, kind.LoginSuccess))
	if !ok {
		return nil
	}
	own := vu.Token
	vu.Token = t.AccessToken
	_, ok, err = do(ctx, vu, harness.Put("/api/admin/users/{id}/role", st.id).JSON(map[string]string{"role": "admin"}), nil)
	vu.Token = own
	if err != nil {
		return err
	}
	if ok {
		st.isAdmin = true
		vu.Token = "" // the next step logs in with the new role
		return login(ctx, vu, st)
	}
	return nil
}

func stats(ctx context.Context, vu *harness.VU, _ *state) error {
	_, _, err := do(ctx, vu, harness.Get("/api/admin/stats"), nil)
	return err
}

func audit(ctx context.Context, vu *harness.VU, _ *state) error {
	req := harness.Get("/api/admin/audit").Param("page", strconv.Itoa(1+vu.Rand.IntN(2))).Param("per_page", "25")
	_, _, err := do(ctx, vu, req, nil)
	return err
}

func bulkCreate(ctx context.Context, vu *harness.VU, st *state) error {
	if vu.Bad() {
		_, _, err := do(ctx, vu, harness.Post("/api/admin/users/bulk").JSON(map[string]any{"users": []any{}}).Injected(http.StatusUnprocessableEntity), nil)
		return err
	}
	n := 2 + vu.Rand.IntN(4)
	users := make([]map[string]string, n)
	for i := range users {
		users[i] = map[string]string{
			"email":    vu.Email(fmt.Sprintf("b%d", st.bulkSeq+i)),
			"password": password(vu.Rand),
			"name":     fmt.Sprintf("Bulk user of admin %d", vu.Index),
		}
	}
	st.bulkSeq += n
	var out bulkCreated
	_, ok, err := do(ctx, vu, harness.Post("/api/admin/users/bulk").JSON(map[string]any{"users": users}).Expect(http.StatusCreated), &out)
	if ok {
		for _, u := range out.Created {
			if len(st.created) < 4*maxSeen {
				st.created = append(st.created, u.ID)
			}
		}
	}
	return err
}

// pick removes and returns a random id from ids.
func pick(vu *harness.VU, ids *[]int64) (int64, bool) {
	if len(*ids) == 0 {
		return 0, false
	}
	i := vu.Rand.IntN(len(*ids))
	id := (*ids)[i]
	(*ids)[i] = (*ids)[len(*ids)-1]
	*ids = (*ids)[:len(*ids)-1]
	return id, true
}

func bulkDeactivate(ctx context.Context, vu *harness.VU, st *state) error {
	id, ok := pick(vu, &st.created)
	if !ok {
		return bulkCreate(ctx, vu, st)
	}
	_, done, err := do(ctx, vu, harness.Post("/api/admin/users/bulk-deactivate").JSON(map[string]any{"ids": []int64{id}}), nil)
	if done {
		st.deactivated = append(st.deactivated, id)
	}
	return err
}

func activate(ctx context.Context, vu *harness.VU, st *state) error {
	id, ok := pick(vu, &st.deactivated)
	if !ok {
		return bulkDeactivate(ctx, vu, st)
	}
	_, done, err := do(ctx, vu, harness.Post("/api/admin/users/{id}/activate", id), nil)
	if done {
		st.created = append(st.created, id)
	}
	return err
}

func changeRole(ctx context.Context, vu *harness.VU, st *state) error {
	if len(st.created) == 0 {
		return bulkCreate(ctx, vu, st)
	}
	if vu.Bad() {
		_, _, err := do(ctx, vu, harness.Put("/api/admin/users/{id}/role", st.created[0]).JSON(map[string]string{"role": "emperor"}).Injected(http.StatusUnprocessableEntity), nil)
		return err
	}
	role := []string{"user", "admin"}[vu.Rand.IntN(2)]
	id := st.created[vu.Rand.IntN(len(st.created))]
	_, _, err := do(ctx, vu, harness.Put("/api/admin/users/{id}/role", id).JSON(map[string]string{"role": role}), nil)
	return err
}

func deleteUser(ctx context.Context, vu *harness.VU, st *state) error {
	id, ok := pick(vu, &st.created)
	if !ok {
		return bulkCreate(ctx, vu, st)
	}
	_, _, err := do(ctx, vu, harness.Delete("/api/users/{id}", id), nil)
	return err
}
