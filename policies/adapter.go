package policies

import (
	"errors"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// policyAdapter is Casbin's storage for Bureau (persist.Adapter): the role
// permissions (p) come from the embedded default_policy.csv, the grants (g)
// from the grants table, read through grants. It is read-only: grants
// change through AddGrant and RemoveGrant, which keep their rules (the last
// admin, the audit log) in one transaction, and an enforcer is then
// rebuilt, never edited in place.
type policyAdapter struct {
	grants func() ([]Grant, error) // nil: role permissions only
	loaded []Grant                 // what LoadPolicy gave force to, without duplicates
}

var _ persist.Adapter = (*policyAdapter)(nil)

var errReadOnlyPolicy = errors.New("policies: the Casbin policy is read-only; change grants with AddGrant and RemoveGrant")

// LoadPolicy fills m with the role permissions and every grant that has
// force.
func (a *policyAdapter) LoadPolicy(m model.Model) error {
	for _, rule := range defaultPolicy {
		if err := persist.LoadPolicyArray(append([]string{"p"}, rule...), m); err != nil {
			return err
		}
	}
	a.loaded = nil
	if a.grants == nil {
		return nil
	}
	grants, err := a.grants()
	if err != nil {
		return err
	}
	seen := map[[3]string]bool{}
	for _, g := range grants {
		key := [3]string{g.UserID, g.Role, g.domain()}
		if !hasForce(g) || seen[key] {
			continue
		}
		seen[key] = true
		if err := persist.LoadPolicyArray([]string{"g", subject(g.UserID), g.Role, g.domain()}, m); err != nil {
			return err
		}
		a.loaded = append(a.loaded, g)
	}
	return nil
}

func (a *policyAdapter) SavePolicy(model.Model) error                { return errReadOnlyPolicy }
func (a *policyAdapter) AddPolicy(string, string, []string) error    { return errReadOnlyPolicy }
func (a *policyAdapter) RemovePolicy(string, string, []string) error { return errReadOnlyPolicy }
func (a *policyAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errReadOnlyPolicy
}
